'use client';

import type { License } from '@outpost/protocol/rest/accounts';
import { useId } from 'react';
import styles from './auth-form.module.css';

const LICENSES: { value: License; name: string; description: string }[] = [
  {
    value: 'MULTI_ENV',
    name: 'Multi-environment (recommended)',
    description: 'Production, Sandbox and more environments, each with its own isolated resources.',
  },
  {
    value: 'LEGACY',
    name: 'Legacy Production/Sandbox',
    description: 'Two environments that share every resource: a change in one is a change in both.',
  },
];

export function LicenseChoice({ value, onChange }: { value: License; onChange: (license: License) => void }) {
  const id = useId();
  return (
    <fieldset className={styles.licenses}>
      <legend className={styles.legend}>License</legend>
      {LICENSES.map((license) => (
        <label className={styles.license} key={license.value}>
          <input
            type="radio"
            name="license"
            value={license.value}
            checked={value === license.value}
            onChange={() => onChange(license.value)}
            aria-labelledby={`${id}-${license.value}-name`}
            aria-describedby={`${id}-${license.value}-description`}
          />
          <span>
            <span className={styles.licenseName} id={`${id}-${license.value}-name`}>
              {license.name}
            </span>
            <span className={styles.licenseDescription} id={`${id}-${license.value}-description`}>
              {license.description}
            </span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
