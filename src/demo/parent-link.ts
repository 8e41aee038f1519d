/**
 * Ties the demo's life to the program that started it, when that program opened a Node IPC
 * channel (`spawn(…, { stdio: [… , 'ipc'] })`, as the demo test does). If the parent dies — even
 * by SIGKILL, or a test runner's timeout that never runs the test's teardown — the channel closes,
 * 'disconnect' fires and `onGone` runs, so the demo stops cleanly with all its children instead
 * of running on as an orphan. A person's terminal (`npm run demo`) opens no channel: nothing
 * changes there, and Ctrl-C stays the way to stop it.
 *
 * stdin is deliberately not the link: it is /dev/null or an idle pipe in many ordinary launches
 * (nohup, CI steps, `… < /dev/null`), where its end would stop a demo nobody asked to stop.
 *
 * Returns a function that removes the link once the demo has stopped for another reason.
 */
export function linkToParent(onGone: () => void): () => void {
  const channel = process.channel;
  if (!channel || !process.connected) return () => undefined;
  // The channel only carries the parent's death: it must not keep a stopped demo alive.
  channel.unref();
  const gone = (): void => {
    // Whatever read our stdout and stderr most likely went with the parent: a failed write
    // (EPIPE) must not turn the clean stop into a crash that skips closing the offices.
    process.stdout.on('error', ignore);
    process.stderr.on('error', ignore);
    onGone();
  };
  process.once('disconnect', gone);
  return () => {
    process.off('disconnect', gone);
  };
}

function ignore(): void {}
