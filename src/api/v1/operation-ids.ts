/**
 * The `operationId` of every operation of the OpenAPI document: the stable name a client generator, a Postman import
 * or a link into the reference gives it (`listActors`, `promoteScenario`). Named here, in one place, as verb + noun;
 * an operation not named here (a route added since) gets one made from its method and path
 * (`getScenariosDelta`-like), unique as they are, so a new route never goes without.
 */

type Json = Record<string, any>;

export const OPERATION_IDS: Record<string, string> = {
  'POST /api/v1/integrations/bamboohr/webhook/{tenant}': 'receiveBambooHrWebhook',
  'GET /api/v1/me': 'getMe',
  'POST /api/v1/tokens': 'createToken',
  'GET /api/v1/tokens': 'listTokens',
  'DELETE /api/v1/tokens/{id}': 'revokeToken',
  'GET /api/v1/roles': 'listRoles',
  'PUT /api/v1/roles/{role}': 'setRole',
  'POST /api/v1/roles/{role}/reset': 'resetRole',
  'GET /api/v1/org-units': 'listOrgUnits',
  'GET /api/v1/org-units/tree': 'getOrgUnitTree',
  'GET /api/v1/org-units/{id}': 'getOrgUnit',
  'GET /api/v1/departments': 'listDepartments',
  'GET /api/v1/teams': 'listTeams',
  'GET /api/v1/actors': 'listActors',
  'GET /api/v1/actors/{id}': 'getActor',
  'GET /api/v1/reporting-lines': 'listReportingLines',
  'GET /api/v1/placements': 'listPlacements',
  'GET /api/v1/positions': 'listPositions',
  'GET /api/v1/compensations': 'listCompensations',
  'GET /api/v1/org-metrics': 'getOrgMetrics',
  'GET /api/v1/scenarios': 'listScenarios',
  'POST /api/v1/scenarios': 'createScenario',
  'GET /api/v1/scenarios/{id}': 'getScenario',
  'PATCH /api/v1/scenarios/{id}': 'updateScenario',
  'POST /api/v1/scenarios/{id}/submit': 'submitScenario',
  'POST /api/v1/scenarios/{id}/withdraw': 'withdrawScenario',
  'POST /api/v1/scenarios/{id}/archive': 'archiveScenario',
  'POST /api/v1/scenarios/{id}/unarchive': 'unarchiveScenario',
  'GET /api/v1/scenarios/{id}/delta': 'getScenarioDelta',
  'GET /api/v1/scenarios/{id}/changes': 'listScenarioChanges',
  'POST /api/v1/scenarios/{id}/changes': 'applyScenarioChanges',
  'POST /api/v1/scenarios/{id}/promote': 'promoteScenario',
  'POST /api/v1/scenarios/{id}/changes/discard': 'discardScenarioChanges',
  'GET /api/v1/tasks': 'listTasks',
  'GET /api/v1/tasks/{id}': 'getTask',
  'GET /api/v1/scenarios/{id}/tasks': 'listScenarioTasks',
  'GET /api/v1/snapshots': 'listSnapshots',
  'POST /api/v1/snapshots': 'createSnapshot',
  'POST /api/v1/snapshots/{id}/restore': 'restoreSnapshot',
  'GET /api/v1/currencies': 'listCurrencies',
  'GET /api/v1/department-types': 'listDepartmentTypes',
  'POST /api/v1/department-types': 'createDepartmentType',
  'PATCH /api/v1/department-types/{id}': 'renameDepartmentType',
  'DELETE /api/v1/department-types/{id}': 'removeDepartmentType',
  'GET /api/v1/team-types': 'listTeamTypes',
  'POST /api/v1/team-types': 'createTeamType',
  'PATCH /api/v1/team-types/{id}': 'renameTeamType',
  'DELETE /api/v1/team-types/{id}': 'removeTeamType',
  'GET /api/v1/reports/roster': 'getRosterReport',
  'GET /api/v1/reports/org-unit-metrics': 'getOrgUnitMetricsReport',
  'GET /api/v1/reports/spans': 'getSpansReport',
  'GET /api/v1/lineage': 'listLineage',
  'GET /api/v1/activity': 'listActivity',
  'GET /api/v1/imports/fields': 'listImportFields',
  'POST /api/v1/imports': 'uploadImport',
  'GET /api/v1/imports': 'listImports',
  'GET /api/v1/imports/{id}': 'getImport',
  'PATCH /api/v1/imports/{id}': 'updateImport',
  'GET /api/v1/imports/{id}/preview': 'previewImport',
  'POST /api/v1/imports/{id}/start': 'startImport',
  'POST /api/v1/imports/{id}/reprocess': 'reprocessImport',
  'POST /api/v1/imports/{id}/undo': 'undoImport',
  'GET /api/v1/imports/{id}/rows': 'listImportRows',
  'GET /api/v1/imports/{id}/quarantine': 'listQuarantinedImportRows',
  'GET /api/v1/imports/{id}/rows/{row}': 'getImportRow',
  'PATCH /api/v1/imports/{id}/rows/{row}': 'fixImportRow',
  'POST /api/v1/imports/{id}/rows/{row}/ignore': 'ignoreImportRow',
  'GET /api/v1/integrations/hris': 'getHrisIntegration',
  'PUT /api/v1/integrations/hris': 'setHrisIntegration',
  'POST /api/v1/integrations/hris/sync': 'syncHrisIntegration',
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** An operation's id made from its method and path: `GET /api/v1/scenarios/{id}/delta` → `getScenariosIdDelta`. */
export function derivedOperationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1\//, '')
    .split(/[/{}_-]+/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** Sets `operationId` (in place) on every operation that declares none, and returns the document. */
export function addOperationIds<T extends Json>(doc: T): T {
  for (const [path, item] of Object.entries(((doc as Json).paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op: Json | undefined = item[method];
      if (op && !op.operationId) op.operationId = OPERATION_IDS[`${method.toUpperCase()} ${path}`] ?? derivedOperationId(method, path);
    }
  }
  return doc;
}
