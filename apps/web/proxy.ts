import { type NextRequest, NextResponse } from 'next/server';

/** The API's session cookie (HttpOnly; the web app only checks that it is there). */
const SESSION_COOKIE = 'outpost_session';

/**
 * 1. Same-origin API: `/api/:path*` is forwarded to `${OUTPOST_API_URL}/:path*`. A proxy rather
 *    than a `rewrites()` entry in next.config, because Next.js bakes rewrite destinations into the
 *    build, and `OUTPOST_API_URL` must be read when the server starts: one build runs against any
 *    API (`pnpm start`, the e2e suite, a container).
 * 2. A page request without a session cookie goes straight to sign-in instead of rendering an
 *    empty shell first. Whether the session is still valid is the API's call (`401` → sign-in).
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname === '/api' || pathname.startsWith('/api/')) {
    const apiUrl = process.env.OUTPOST_API_URL ?? 'http://localhost:4000';
    return NextResponse.rewrite(new URL(`${pathname.slice('/api'.length)}${search}`, apiUrl));
  }
  if (!request.cookies.has(SESSION_COOKIE)) {
    const signIn = new URL('/sign-in', request.url);
    if (pathname !== '/') signIn.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(signIn);
  }
  return NextResponse.next();
}

export const config = {
  // Everything but the sign-in pages, Next.js assets and files with an extension.
  matcher: ['/api/:path*', '/((?!_next/|sign-in|sign-up|favicon\\.ico|.*\\.[a-z0-9]+$).*)'],
};
