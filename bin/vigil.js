#!/usr/bin/env node
// `vigil`: the operator CLI (apps/cli/src/main.ts) run from its TypeScript
// source through tsx, so `npm link` and `npx vigil` work in a checkout with
// nothing built. The container images run the compiled CLI instead.
import { register } from 'tsx/esm/api';

register();
await import('../apps/cli/src/main.ts');
