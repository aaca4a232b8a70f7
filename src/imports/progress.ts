/**
 * Progress of an import run by stage (reference/import-workflow-and-runs.md): Parse → Actors → Managers → Teams →
 * Departments → Placements → Positions → Compensations → Finalize, each with its row counts, and an overall percent.
 * Teams to compensations run together (row by row, page by page): they advance together, the first of them being the
 * current stage. Writes are throttled, except when a stage starts or ends.
 */
export const STAGES = ['parse', 'actors', 'managers', 'teams', 'departments', 'placements', 'positions', 'compensations', 'finalize'] as const;
export type Stage = (typeof STAGES)[number];

/** Rough share of a run's time per stage, for the percent. */
const WEIGHTS: Record<Stage, number> = { parse: 10, actors: 8, managers: 5, teams: 5, departments: 2, placements: 15, positions: 8, compensations: 7, finalize: 40 };
const TOTAL_WEIGHT = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);

export interface StageProgress {
  name: Stage;
  status: 'pending' | 'running' | 'done';
  done: number;
  total: number;
}

export interface ProgressState {
  stage: Stage | null;
  percent: number;
  stages: StageProgress[];
  /** The Live version the step reads (imports into Live): another change to Live meanwhile makes its finalize refuse. */
  live_version?: number;
}

export function initialProgress(): ProgressState {
  return { stage: null, percent: 0, stages: STAGES.map((name) => ({ name, status: 'pending', done: 0, total: 0 })) };
}

export class ProgressTracker {
  private readonly current = initialProgress();
  private lastWrite = 0;

  constructor(
    private readonly write: (progress: ProgressState) => Promise<void>,
    private readonly minIntervalMs = 400,
  ) {}

  /** Progress of a stage, or of stages that run together; the stages before them are done. */
  async update(stages: Stage | readonly Stage[], done: number, total: number): Promise<void> {
    const names = typeof stages === 'string' ? [stages] : stages;
    const at = STAGES.indexOf(names[0]!);
    const entries = names.map((name) => this.current.stages[STAGES.indexOf(name)]!);
    const boundary = entries.some((entry) => entry.status !== 'running') || done >= total;
    this.current.stages.forEach((s, i) => {
      if (i < at && s.status !== 'done') {
        s.status = 'done';
        s.done = s.total;
      }
    });
    for (const entry of entries) {
      entry.status = done >= total && entry.name !== 'finalize' ? 'done' : 'running';
      entry.done = done;
      entry.total = total;
    }
    this.current.stage = names[0]!;
    this.current.percent = this.percent();
    const now = Date.now();
    if (boundary || now - this.lastWrite >= this.minIntervalMs) {
      this.lastWrite = now;
      await this.write(this.snapshot());
    }
  }

  /** The Live version the step reads, written with its next progress. */
  reads(liveVersion: number): void {
    this.current.live_version = liveVersion;
  }

  /** All stages done (the final state is written with the run's outcome, in its transaction). */
  finished(): ProgressState {
    for (const s of this.current.stages) {
      s.status = 'done';
      s.done = s.total;
    }
    this.current.stage = null;
    this.current.percent = 100;
    return this.snapshot();
  }

  snapshot(): ProgressState {
    const { live_version } = this.current;
    return { stage: this.current.stage, percent: this.current.percent, stages: this.current.stages.map((s) => ({ ...s })), ...(live_version !== undefined ? { live_version } : {}) };
  }

  private percent(): number {
    let sum = 0;
    for (const s of this.current.stages) {
      const share = s.status === 'done' ? 1 : s.status === 'running' && s.total > 0 ? s.done / s.total : 0;
      sum += WEIGHTS[s.name] * share;
    }
    return Math.min(99, Math.floor((sum / TOTAL_WEIGHT) * 100));
  }
}
