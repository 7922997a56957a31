import styles from './environment-dot.module.css';

/** Production green, Sandbox amber, any other environment the accent colour: seen at a glance in the top bar. */
export function EnvironmentDot({ slug }: { slug: string }) {
  const tone = slug === 'production' || slug === 'sandbox' ? slug : 'other';
  return <span className={`${styles.dot} ${styles[tone]}`} aria-hidden="true" />;
}
