const SUBJECTS: Record<string, string> = {
  auth: '',
  account: 'Account',
  member: 'Member',
  environment: 'Environment',
  api_token: 'API token',
  agent: 'Agent',
  connection: 'Connection',
  export: 'Export',
  import: 'Import',
  flow: 'Flow',
  script: 'Script',
  migration: 'Migration',
};

/** `api_token.token_shown` → "API token: token shown"; `auth.signed_in` → "Signed in". */
export function describeAuditAction(action: string): string {
  const [subject = '', ...rest] = action.split('.');
  const verb = rest.join(' ').replace(/_/g, ' ');
  const label = SUBJECTS[subject] ?? subject.replace(/_/g, ' ');
  if (!verb) return capitalise(label || action);
  return label ? `${capitalise(label)}: ${verb}` : capitalise(verb);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
