/** Stops the containers globalSetup may have started (none when local services answered). */
module.exports = async function globalTeardown() {
  for (const container of globalThis.__MQ_CONTAINERS__ || []) await container.stop();
};
