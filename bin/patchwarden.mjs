#!/usr/bin/env node
// Entry point for `npx patchwarden`: registers tsx so the TypeScript sources run
// without a build step, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
