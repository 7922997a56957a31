import { describe, expect, it } from 'vitest';
import { afterSignInPath, signInPath, switchEnvironmentPath } from './paths';

describe('switchEnvironmentPath', () => {
  it('keeps the section and page', () => {
    expect(switchEnvironmentPath('/production/settings/members', 'sandbox')).toBe(
      '/sandbox/settings/members',
    );
  });

  it('drops what names a resource of the old environment', () => {
    expect(switchEnvironmentPath('/production/resources/agents/0193abcd', 'eu-staging')).toBe(
      '/eu-staging/resources/agents',
    );
  });

  it('works from the environment home', () => {
    expect(switchEnvironmentPath('/production', 'sandbox')).toBe('/sandbox');
  });
});

describe('afterSignInPath', () => {
  it('goes back where the person was', () => {
    expect(afterSignInPath('/sandbox/settings/audit')).toBe('/sandbox/settings/audit');
  });

  it('lands in Production otherwise', () => {
    expect(afterSignInPath(null)).toBe('/production/resources/agents');
  });

  it('never leaves the site', () => {
    expect(afterSignInPath('//evil.example/phish')).toBe('/production/resources/agents');
    expect(afterSignInPath('https://evil.example/')).toBe('/production/resources/agents');
  });

  it('never loops back to sign-in', () => {
    expect(afterSignInPath('/sign-in')).toBe('/production/resources/agents');
  });
});

describe('signInPath', () => {
  it('remembers the page', () => {
    expect(signInPath('/sandbox/resources/flows?x=1')).toBe(
      '/sign-in?next=%2Fsandbox%2Fresources%2Fflows%3Fx%3D1',
    );
  });
});
