/** Where the e2e suite runs the product: ports of its own, so that a running `pnpm start` is left alone. */
export const API_PORT = Number(process.env.OUTPOST_E2E_API_PORT ?? 4100);
export const WEB_PORT = Number(process.env.OUTPOST_E2E_WEB_PORT ?? 3100);
export const API_URL = `http://127.0.0.1:${API_PORT}`;
export const WEB_URL = `http://127.0.0.1:${WEB_PORT}`;

/** A password the API accepts (at least 12 characters). */
export const PASSWORD = 'correct horse battery staple';
