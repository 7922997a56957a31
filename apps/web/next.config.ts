import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The protocol package ships TypeScript sources (zod schemas shared with the API).
  transpilePackages: ['@outpost/protocol'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
