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
 * Nothing is left out of a bundle, not even the SDK's credential providers for SSO, ini files or web
 * identity that a function never uses: the default chain imports them when `fromEnv` has nothing (an
 * AWS_PROFILE in the environment, container credentials), and a missing module there stops the chain
 * with ERR_MODULE_NOT_FOUND instead of moving on. About 90 KB was not worth that failure mode.
 */
export const EXTERNAL_MODULES: string[] = [];

/**
 * Some dependencies are CommonJS and call require() on Node built-ins; ESM output has no require, so
 * give the bundle one.
 */
export const REQUIRE_SHIM_BANNER =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

export const NODE_TARGET = 'node24';
