import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { runCli } from '../support/cli.js';
import { fixtureCliWorld } from '../support/cli-world.js';
import { fixtureIds } from '../support/fixture-org.js';

/**
 * `orgonaut scenario promote --wait` whose wait runs out: a script must not read "done" (exit 0) while the promotion
 * is still running; it is told so, with the task and how to keep polling, exit 5.
 */

const SLUG = 'clipromwait';
const { units } = fixtureIds('cli-promote-wait');
const world = fixtureCliWorld(SLUG, 'cli-promote-wait');

/** Polls the task until it has finished, so the database is not closed under a running promotion. */
async function settled(taskId: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const shown = JSON.parse((await runCli(['tasks', 'show', taskId, '--json'], world.config)).stdout).data;
    if (shown.status === 'succeeded' || shown.status === 'failed') return shown.status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${taskId} did not finish`);
}

describe('orgonaut scenario promote --wait, out of time', () => {
  it('says the promotion is still running, names the task and the command to keep polling with, and exits 5 (not 0)', async () => {
    const sid = (await createScenario(world.owner, { name: 'Slow plan' })).id;
    await applyBatch(world.owner, sid, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' }]);

    const waited = await runCli(['scenario', 'promote', sid, '--wait', '--timeout', '0'], world.config);
    expect(waited.code, waited.stderr).toBe(5);
    expect(waited.stdout).not.toContain('started');
    const taskId = waited.stderr.match(/\(task ([0-9a-f-]{36})\)/)?.[1];
    expect(taskId, waited.stderr).toBeDefined();
    expect(waited.stderr.trim()).toBe(
      `orgonaut: the promotion of "Slow plan" is still pending after 0 s (task ${taskId}); it goes on without --wait. Keep polling with: orgonaut scenario tasks ${sid} --kind promotion   (or orgonaut tasks show ${taskId})`,
    );
    expect(await settled(taskId!)).toBe('succeeded');
    // The command it names lists the promotion.
    const polled = await runCli(['scenario', 'tasks', sid, '--kind', 'promotion'], world.config);
    expect(polled.stdout).toMatch(new RegExp(`^promotion\\s+succeeded\\s.*${taskId}$`, 'm'));

    // The exit codes are listed in the help, 5 among them.
    expect((await runCli(['--help'], world.config)).stdout).toContain('5 still running (--wait ran out of time; the task goes on)');
  });

  it('under --json: the task on stdout, a still_running error naming it on stderr, exit 5', async () => {
    const sid = (await createScenario(world.owner, { name: 'Slow plan 2' })).id;
    await applyBatch(world.owner, sid, [{ op: 'rename_org_unit', org_unit_id: units.S, name: 'Revenue' }]);

    const waited = await runCli(['scenario', 'promote', sid, '--wait', '--timeout', '0', '--json'], world.config);
    expect(waited.code, waited.stderr).toBe(5);
    const task = JSON.parse(waited.stdout).data;
    expect(task).toMatchObject({ kind: 'promotion', scenario_id: sid });
    expect(JSON.parse(waited.stderr).error).toMatchObject({ code: 'still_running', exit_code: 5, task_id: task.id });
    expect(await settled(task.id)).toBe('succeeded');
  });

  it('refuses --timeout without --wait, whose limit it is (exit 2), before promoting anything', async () => {
    const sid = (await createScenario(world.owner, { name: 'Quick plan' })).id;
    const refused = await runCli(['scenario', 'promote', sid, '--timeout', '5'], world.config);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--timeout is how long --wait waits');
    expect((await runCli(['scenario', 'tasks', sid], world.config)).stdout.trim()).toBe('No tasks for this scenario.');
  });
});
