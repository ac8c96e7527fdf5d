// Type-checks test/types/fixture against the built dist/*.d.ts with skipLibCheck: false.
// Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('dist/lib/index.d.ts')) {
  console.error('dist/lib/index.d.ts is missing: run `npm run build` first');
  process.exit(1);
}
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/types/fixture/tsconfig.json'], {
  stdio: 'inherit',
});
console.log('dist types check: 1 passed, 0 failed');
