/**
 * How every function is bundled, in one place: the CDK construct ships with these settings and
 * `npm run bench:bundles` measures with them, so the figures are the shipped ones.
 */

/**
 * Prefer each package's ES-module build: the AWS SDK's `main` is one CommonJS file per package that
 * esbuild cannot tree-shake (@smithy/core alone: 201 KB as CommonJS, 130 KB as ESM).
 */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * Credential providers the SDK's default chain reaches only after `fromEnv` fails. Lambda always sets
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so in a function the chain stops at
 * `fromEnv` and never loads these (SSO, shared ini files, credential_process, web identity, console
 * login, and the STS/SSO clients they use). The chain loads them with dynamic `import()`, so leaving
 * them out of the bundle costs nothing at load time; without this, esbuild inlines about 90 KB of code
 * that cannot run in Lambda. The rest of the SDK is bundled, pinned to the version we test against.
 */
export const UNREACHABLE_IN_LAMBDA = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
];

/**
 * Some dependencies are CommonJS and call require() on Node built-ins; ESM output has no require, so
 * give the bundle one.
 */
export const REQUIRE_SHIM_BANNER =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

export const NODE_TARGET = 'node24';
