#!/usr/bin/env node
// The `docket` command. The library is TypeScript shared with the web app; tsx runs it in Node as is.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
