/**
 * The functions (departments) of a generated company and their vocabulary. Weights follow the split recommended in
 * the domain research (§4 "Recommended generator"); team sizes and spans differ by function so shapes are uneven.
 */

export const TEAM_TYPES = {
  stream: 'Stream-aligned',
  platform: 'Platform',
  enabling: 'Enabling',
  subsystem: 'Complicated subsystem',
} as const;
export type TeamTypeKey = keyof typeof TEAM_TYPES;

export const DEPARTMENT_TYPES = {
  technology: 'Product & Technology',
  revenue: 'Go-to-market',
  customer: 'Customer',
  operations: 'Operations',
  corporate: 'General & administrative',
  executive: 'Executive',
} as const;
export type DepartmentTypeKey = keyof typeof DEPARTMENT_TYPES;

/** Seniority mix of a function's individual contributors. */
export type Seniority = 'knowledge' | 'frontline';

export interface FunctionSpec {
  key: string;
  name: string;
  code: string;
  /** Share of the headcount, in percent. */
  weight: number;
  departmentType: DepartmentTypeKey;
  description: string;
  headTitle: string;
  /** "Director of <label>", "VP of <label>". */
  label: string;
  managerRole: string;
  icRoles: readonly string[];
  seniority: Seniority;
  /** Typical number of ICs per team, and the most before the team is split. */
  teamMean: number;
  teamCap: number;
  /** Span of a manager of managers. */
  span: readonly [min: number, max: number];
  /** Pay relative to the level band (1 = the band). */
  payFactor: number;
  teams: readonly (readonly [name: string, type: TeamTypeKey])[];
  qualifiers: readonly string[];
  qualifiedFirst: boolean;
  /** Names for nested sub-departments of a large function. */
  areas: readonly string[];
  areaQualifiers: readonly string[];
}

const REGIONS = ['EMEA', 'Americas', 'APAC', 'DACH', 'Nordics', 'UK & Ireland', 'France', 'Benelux', 'Iberia', 'LATAM'];
const SITES = ['Rotterdam', 'Leipzig', 'Dallas', 'Lyon', 'Poznań', 'Manchester', 'Milan', 'Columbus', 'Valencia'];

const ENGINEERING: FunctionSpec = {
  key: 'engineering', name: 'Engineering', code: 'ENG', weight: 30, departmentType: 'technology',
  description: 'Builds and runs the product and the platform under it.',
  headTitle: 'Chief Technology Officer', label: 'Engineering', managerRole: 'Engineering Manager',
  icRoles: ['Software Engineer', 'Software Engineer', 'Software Engineer', 'Site Reliability Engineer',
    'QA Engineer', 'Data Engineer', 'Security Engineer', 'Machine Learning Engineer', 'Mobile Engineer'],
  seniority: 'knowledge', teamMean: 6, teamCap: 10, span: [3, 8], payFactor: 1.1,
  teams: [['Platform', 'platform'], ['Payments', 'stream'], ['Mobile', 'stream'], ['Data', 'subsystem'],
    ['Identity', 'platform'], ['Search', 'subsystem'], ['Checkout', 'stream'], ['Billing', 'stream'],
    ['Notifications', 'platform'], ['Growth', 'stream'], ['Onboarding', 'stream'], ['Messaging', 'stream'],
    ['Reporting', 'stream'], ['Integrations', 'stream'], ['Infrastructure', 'platform'],
    ['Observability', 'platform'], ['Application Security', 'enabling'], ['Developer Tools', 'platform'],
    ['Ledger', 'subsystem'], ['Fraud Detection', 'subsystem'], ['Pricing', 'stream'], ['Catalog', 'stream'],
    ['Recommendations', 'subsystem'], ['Web Frontend', 'stream'], ['Design System', 'enabling'],
    ['Test Automation', 'enabling'], ['Architecture', 'enabling'], ['Storage', 'platform']],
  qualifiers: ['Core', 'API', 'Web', 'Apps', 'Services', 'Experience', 'Insights', 'Reliability', 'Foundations'],
  qualifiedFirst: false,
  areas: ['Product Engineering', 'Platform Engineering', 'Infrastructure & Cloud', 'Data & Machine Learning',
    'Security Engineering', 'Mobile Engineering', 'Developer Experience', 'Commerce Engineering',
    'Core Services', 'Enterprise Products'],
  areaQualifiers: ['EMEA', 'Americas', 'APAC'],
};

const SALES: FunctionSpec = {
  key: 'sales', name: 'Sales', code: 'SAL', weight: 18, departmentType: 'revenue',
  description: 'Wins and grows customer accounts.',
  headTitle: 'Chief Revenue Officer', label: 'Sales', managerRole: 'Sales Manager',
  icRoles: ['Account Executive', 'Account Executive', 'Sales Development Representative', 'Account Manager',
    'Solutions Engineer', 'Sales Operations Analyst'],
  seniority: 'frontline', teamMean: 8, teamCap: 13, span: [4, 9], payFactor: 1.0,
  teams: [['Enterprise', 'stream'], ['Mid-Market', 'stream'], ['SMB', 'stream'], ['Strategic Accounts', 'stream'],
    ['Inside Sales', 'stream'], ['Sales Development', 'stream'], ['Partnerships', 'stream'],
    ['Renewals', 'stream'], ['Public Sector', 'stream'], ['Solutions Consulting', 'enabling']],
  qualifiers: REGIONS, qualifiedFirst: true,
  areas: ['Sales EMEA', 'Sales Americas', 'Sales APAC', 'Commercial Sales', 'Enterprise Sales', 'Channel Sales'],
  areaQualifiers: ['North', 'South', 'Central'],
};

const SUPPORT: FunctionSpec = {
  key: 'support', name: 'Customer Support', code: 'SUP', weight: 15, departmentType: 'customer',
  description: 'Answers customers and keeps them successful.',
  headTitle: 'VP Customer Support', label: 'Customer Support', managerRole: 'Support Team Lead',
  icRoles: ['Support Specialist', 'Support Specialist', 'Technical Support Engineer', 'Customer Success Manager',
    'Support Operations Analyst'],
  seniority: 'frontline', teamMean: 12, teamCap: 19, span: [4, 10], payFactor: 0.7,
  teams: [['Tier 1', 'stream'], ['Tier 2', 'stream'], ['Tier 3', 'subsystem'], ['Customer Success', 'stream'],
    ['Onboarding Support', 'stream'], ['Billing Support', 'stream'], ['Support Operations', 'enabling'],
    ['Knowledge Base', 'enabling']],
  qualifiers: ['EMEA', 'Americas', 'APAC', 'DACH', 'Nordics', 'LATAM', 'Weekend', 'Night Shift'],
  qualifiedFirst: true,
  areas: ['Support EMEA', 'Support Americas', 'Support APAC', 'Technical Support', 'Customer Success'],
  areaQualifiers: ['North', 'South', 'Central'],
};

const OPERATIONS: FunctionSpec = {
  key: 'operations', name: 'Operations', code: 'OPS', weight: 10, departmentType: 'operations',
  description: 'Runs fulfilment, supply chain, facilities and internal IT.',
  headTitle: 'Chief Operating Officer', label: 'Operations', managerRole: 'Operations Manager',
  icRoles: ['Operations Analyst', 'Logistics Coordinator', 'Warehouse Associate', 'Warehouse Associate',
    'Procurement Specialist', 'Facilities Coordinator', 'IT Support Specialist'],
  seniority: 'frontline', teamMean: 11, teamCap: 18, span: [4, 10], payFactor: 0.75,
  teams: [['Fulfilment', 'stream'], ['Warehouse', 'stream'], ['Logistics', 'stream'], ['Procurement', 'stream'],
    ['Facilities', 'platform'], ['IT Service Desk', 'platform'], ['Supply Chain Planning', 'subsystem'],
    ['Quality Assurance', 'enabling'], ['Vendor Management', 'stream'], ['Business Systems', 'platform']],
  qualifiers: SITES, qualifiedFirst: false,
  areas: ['Fulfilment Operations', 'Supply Chain', 'Workplace & IT', 'Business Operations'],
  areaQualifiers: SITES,
};

const MARKETING: FunctionSpec = {
  key: 'marketing', name: 'Marketing', code: 'MKT', weight: 7, departmentType: 'revenue',
  description: 'Builds the brand and the pipeline.',
  headTitle: 'Chief Marketing Officer', label: 'Marketing', managerRole: 'Marketing Manager',
  icRoles: ['Product Marketing Manager', 'Content Marketer', 'Growth Marketer', 'Brand Designer',
    'Marketing Operations Specialist', 'Event Marketer'],
  seniority: 'knowledge', teamMean: 5, teamCap: 9, span: [3, 7], payFactor: 0.95,
  teams: [['Brand', 'stream'], ['Demand Generation', 'stream'], ['Product Marketing', 'stream'],
    ['Content', 'stream'], ['Marketing Operations', 'platform'], ['Events', 'stream'], ['Communications', 'stream'],
    ['Web & SEO', 'stream'], ['Lifecycle Marketing', 'stream'], ['Marketing Analytics', 'enabling']],
  qualifiers: REGIONS, qualifiedFirst: false,
  areas: ['Growth Marketing', 'Brand & Communications', 'Product Marketing'],
  areaQualifiers: ['EMEA', 'Americas', 'APAC'],
};

const PRODUCT: FunctionSpec = {
  key: 'product', name: 'Product', code: 'PRD', weight: 6, departmentType: 'technology',
  description: 'Decides what to build and designs it.',
  headTitle: 'Chief Product Officer', label: 'Product', managerRole: 'Group Product Manager',
  icRoles: ['Product Manager', 'Product Manager', 'Product Designer', 'UX Researcher', 'Product Analyst'],
  seniority: 'knowledge', teamMean: 5, teamCap: 9, span: [3, 7], payFactor: 1.1,
  teams: [['Core Product', 'stream'], ['Product Design', 'enabling'], ['User Research', 'enabling'],
    ['Product Analytics', 'enabling'], ['Payments Product', 'stream'], ['Mobile Product', 'stream'],
    ['Platform Product', 'platform'], ['Growth Product', 'stream'], ['Enterprise Product', 'stream']],
  qualifiers: ['Discovery', 'Delivery', 'Insights'], qualifiedFirst: false,
  areas: ['Product Management', 'Design & Research', 'Product Operations'],
  areaQualifiers: ['Core', 'Growth', 'Platform'],
};

const FINANCE: FunctionSpec = {
  key: 'finance', name: 'Finance', code: 'FIN', weight: 4, departmentType: 'corporate',
  description: 'Plans, accounts for and pays for everything.',
  headTitle: 'Chief Financial Officer', label: 'Finance', managerRole: 'Finance Manager',
  icRoles: ['Financial Analyst', 'Accountant', 'FP&A Analyst', 'Payroll Specialist', 'Tax Specialist',
    'Accounts Payable Specialist'],
  seniority: 'knowledge', teamMean: 6, teamCap: 10, span: [3, 7], payFactor: 1.0,
  teams: [['FP&A', 'stream'], ['Accounting', 'stream'], ['Accounts Payable', 'stream'], ['Payroll', 'platform'],
    ['Tax', 'subsystem'], ['Treasury', 'subsystem'], ['Revenue Accounting', 'stream'],
    ['Procurement Finance', 'stream']],
  qualifiers: ['EMEA', 'Americas', 'APAC'], qualifiedFirst: false,
  areas: ['Controlling', 'Financial Planning', 'Finance Operations'],
  areaQualifiers: ['EMEA', 'Americas', 'APAC'],
};

const PEOPLE: FunctionSpec = {
  key: 'people', name: 'People', code: 'PPL', weight: 3, departmentType: 'corporate',
  description: 'Hires, develops and looks after everyone.',
  headTitle: 'Chief People Officer', label: 'People', managerRole: 'People Manager',
  icRoles: ['HR Business Partner', 'Recruiter', 'Recruiter', 'People Operations Specialist',
    'Learning & Development Specialist', 'Compensation Analyst'],
  seniority: 'knowledge', teamMean: 6, teamCap: 10, span: [3, 7], payFactor: 0.9,
  teams: [['Talent Acquisition', 'stream'], ['People Partners', 'enabling'], ['People Operations', 'platform'],
    ['Learning & Development', 'enabling'], ['Total Rewards', 'subsystem'], ['Workplace Experience', 'stream']],
  qualifiers: ['EMEA', 'Americas', 'APAC', 'Tech', 'GTM'], qualifiedFirst: false,
  areas: ['Talent', 'People Operations', 'People Partnering'],
  areaQualifiers: ['EMEA', 'Americas', 'APAC'],
};

const LEGAL: FunctionSpec = {
  key: 'legal', name: 'Legal', code: 'LGL', weight: 2, departmentType: 'corporate',
  description: 'Contracts, compliance and privacy.',
  headTitle: 'General Counsel', label: 'Legal', managerRole: 'Legal Manager',
  icRoles: ['Legal Counsel', 'Legal Counsel', 'Paralegal', 'Compliance Analyst', 'Privacy Counsel'],
  seniority: 'knowledge', teamMean: 5, teamCap: 9, span: [3, 6], payFactor: 1.15,
  teams: [['Commercial Legal', 'stream'], ['Compliance', 'enabling'], ['Privacy', 'enabling'],
    ['Corporate Legal', 'subsystem'], ['Employment Law', 'enabling'], ['Intellectual Property', 'subsystem']],
  qualifiers: ['EMEA', 'Americas', 'APAC'], qualifiedFirst: false,
  areas: ['Legal', 'Risk & Compliance'],
  areaQualifiers: ['EMEA', 'Americas', 'APAC'],
};

/** The CEO's office; its size is capped separately, see `planDepartments`. */
export const EXECUTIVE_OFFICE: FunctionSpec = {
  key: 'executive', name: 'Executive Office', code: 'EXO', weight: 1.5, departmentType: 'executive',
  description: 'The CEO, strategy and company-wide programmes.',
  headTitle: 'Chief of Staff', label: 'Strategy', managerRole: 'Strategy Manager',
  icRoles: ['Executive Assistant', 'Strategy Analyst', 'Business Operations Analyst',
    'Corporate Development Associate'],
  seniority: 'knowledge', teamMean: 4, teamCap: 8, span: [3, 5], payFactor: 1.1,
  teams: [['Office of the CEO', 'enabling'], ['Strategy', 'enabling'], ['Corporate Development', 'subsystem'],
    ['Internal Audit', 'enabling'], ['Business Operations', 'enabling']],
  qualifiers: ['Programmes', 'Planning'], qualifiedFirst: false,
  areas: ['Strategy & Planning'], areaQualifiers: [],
};

/** Departments other than the Executive Office, largest first. */
export const FUNCTIONS: readonly FunctionSpec[] = [
  ENGINEERING, SALES, SUPPORT, OPERATIONS, MARKETING, PRODUCT, FINANCE, PEOPLE, LEGAL,
];
