/**
 * The public repository's web address, once there is one: each rule's page is linked
 * below it (SARIF `helpUri`, JSON `docs.url`). null while there is none: no link is made
 * up, and reports carry only the page's path in the repository.
 */
export const REPOSITORY_URL: string | null = null;

/** A rule's page, relative to goleak-lint's repository root. */
export function ruleDocPath(id: string): string {
  return `docs/rules/${id}.md`;
}

/** A rule's page on the web, or null when the repository has no address. */
export function ruleDocUrl(id: string, repository: string | null = REPOSITORY_URL): string | null {
  return repository === null ? null : `${repository.replace(/\/+$/, '')}/blob/main/${ruleDocPath(id)}`;
}
