/**
 * What every bench child process shares: its role and config from the command line
 * (`<consumer|producer> <config as base64 JSON>`), `send` to the orchestrator over IPC, errors
 * reported to it, exit when it dies, and `stop()`, which runs the close function set with
 * `onClose` within `stopTimeoutMs` and exits.
 */
export function benchChild({ stopTimeoutMs }) {
  const [role, encoded] = process.argv.slice(2);
  const cfg = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  const send = msg => process.send?.(msg);
  const reportError = err => send({ type: 'error', error: String(err?.stack ?? err) });

  process.on('unhandledRejection', reportError);
  process.on('disconnect', () => process.exit(1)); // the orchestrator died

  let close = async () => undefined;
  let stopping = false;
  async function stop() {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), stopTimeoutMs);
    try {
      await close();
    } catch (err) {
      send({ type: 'error', error: `close failed: ${err?.message ?? err}` });
    }
    clearTimeout(timer);
    process.exit(0);
  }

  return { role, cfg, send, reportError, stop, onClose: fn => (close = fn) };
}
