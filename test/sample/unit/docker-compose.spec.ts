import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The text of each service block of docker-compose.yml (services are indented by two spaces). */
function services(): Map<string, string> {
  const text = readFileSync(join(__dirname, '../../../docker-compose.yml'), 'utf8');
  const body = text.slice(text.indexOf('\nservices:'), text.indexOf('\nvolumes:'));
  const blocks = new Map<string, string>();
  let name: string | undefined;
  for (const line of body.split('\n')) {
    const start = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (start) name = start[1];
    else if (name && !line.trimStart().startsWith('#')) blocks.set(name, `${blocks.get(name) ?? ''}${line}\n`);
  }
  return blocks;
}

describe('docker-compose.yml', () => {
  it('should publish no database port (they would collide with the local Redis and PostgreSQL, and expose them)', () => {
    const blocks = services();
    expect(blocks.get('postgres')).toBeDefined();
    expect(blocks.get('redis')).toBeDefined();
    expect(blocks.get('postgres')).not.toMatch(/^\s+ports:/m);
    expect(blocks.get('redis')).not.toMatch(/^\s+ports:/m);
  });

  it('should publish the sample on 127.0.0.1 only, listening on every interface inside its container', () => {
    const sample = services().get('sample')!;
    expect(sample).toMatch(/^\s+ports:\n\s+- '127\.0\.0\.1:3010:3010'\n/m);
    expect(sample).toMatch(/^\s+HOST: 0\.0\.0\.0$/m);
  });
});
