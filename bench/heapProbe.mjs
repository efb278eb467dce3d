// Loaded into the process bench/inspectorMemory.ts measures (node --expose-gc --import):
// on SIGUSR2 it collects garbage and prints what is still held, as one JSON line on stderr.
process.on('SIGUSR2', () => {
  globalThis.gc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  process.stderr.write(`heap-probe ${JSON.stringify({ rss, heapUsed, external, arrayBuffers })}\n`);
});
