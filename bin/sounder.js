#!/usr/bin/env node
// Sounder runs its TypeScript sources directly through tsx's loader, so a fresh clone
// needs no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
