import { inEffect } from './dates.js';
import type { OrgUnit } from './types.js';

/** The in-effect org units in scope, ordered so that every unit comes after all of its descendants. */
export interface UnitTree {
  roots: string[];
  children: Map<string, string[]>;
  postOrder: string[];
}

/**
 * Builds the visible hierarchy on `asOf`. A unit is visible when it and all its ancestors are in effect; a unit
 * whose parent is not in the graph at all counts as a root (so its people do not silently vanish), while units on a
 * parent cycle are hidden. With `rootIds`, only those units' subtrees are in scope (nested roots are folded in).
 */
export function visibleUnitTree(units: Map<string, OrgUnit>, asOf: string, rootIds?: readonly string[]): UnitTree {
  const visible = resolveVisibility(units, asOf);
  const children = new Map<string, string[]>();
  const naturalRoots: string[] = [];
  for (const [id, isVisible] of visible) {
    if (!isVisible) continue;
    const parentId = units.get(id)?.parentId ?? null;
    if (parentId === null || !units.has(parentId)) naturalRoots.push(id);
    else appendChild(children, parentId, id);
  }
  const roots = rootIds === undefined ? naturalRoots : scopeRoots(units, visible, rootIds);
  return { roots, children, postOrder: postOrder(roots, children) };
}

function appendChild(children: Map<string, string[]>, parentId: string, id: string): void {
  const list = children.get(parentId);
  if (list === undefined) children.set(parentId, [id]);
  else list.push(id);
}

function resolveVisibility(units: Map<string, OrgUnit>, asOf: string): Map<string, boolean> {
  const visible = new Map<string, boolean>();
  for (const start of units.keys()) {
    if (visible.has(start)) continue;
    const chain = new Set<string>();
    let result = true;
    let current: string | null = start;
    while (current !== null) {
      const known = visible.get(current);
      const unit = units.get(current);
      if (known !== undefined || unit === undefined) {
        result = known ?? true;
        break;
      }
      if (chain.has(current) || !inEffect(unit, asOf)) {
        result = false;
        break;
      }
      chain.add(current);
      current = unit.parentId;
    }
    for (const id of chain) visible.set(id, result);
  }
  return visible;
}

/** Visible requested roots, dropping any that lie inside another requested root's subtree. */
function scopeRoots(units: Map<string, OrgUnit>, visible: Map<string, boolean>, rootIds: readonly string[]): string[] {
  const requested = new Set(rootIds.filter((id) => visible.get(id) === true));
  return [...requested].filter((id) => {
    let parentId = units.get(id)?.parentId ?? null;
    while (parentId !== null && units.has(parentId)) {
      if (requested.has(parentId)) return false;
      parentId = units.get(parentId)?.parentId ?? null;
    }
    return true;
  });
}

function postOrder(roots: string[], children: Map<string, string[]>): string[] {
  const order: string[] = [];
  const stack: { id: string; expanded: boolean }[] = roots.map((id) => ({ id, expanded: false })).reverse();
  while (stack.length > 0) {
    const top = stack.pop() as { id: string; expanded: boolean };
    if (top.expanded) {
      order.push(top.id);
      continue;
    }
    stack.push({ id: top.id, expanded: true });
    const kids = children.get(top.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ id: kids[i], expanded: false });
  }
  return order;
}
