import type { ReactNode } from 'react';
import styles from './form-layout.module.css';

/**
 * The class names of a resource's form page: `form` (the card), `notice`, `plainFieldset`,
 * `fields`, `stack`, `pair`, `textarea` (monospace), `details`, `footer`, `footerBar`… Shared by
 * the connection, export, import, script and flow forms.
 */
export const formStyles = styles;

/** One section of a form page: its title and what it is for on the left, its fields on the right. */
export function FormSection({
  title,
  description,
  children,
  'data-testid': testId,
}: {
  title: string;
  description: ReactNode;
  children: ReactNode;
  'data-testid'?: string;
}) {
  return (
    <section className={styles.section} data-testid={testId}>
      <div>
        <h2 className={styles.sectionTitle}>{title}</h2>
        <p className={styles.sectionDescription}>{description}</p>
      </div>
      <div className={styles.fields}>{children}</div>
    </section>
  );
}
