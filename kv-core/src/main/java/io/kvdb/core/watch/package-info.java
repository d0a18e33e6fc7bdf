/**
 * Watch: the leader's changes streamed to watchers in revision order, off the writer thread, with a
 * bounded history to resume from and a bounded queue per watcher.
 */
package io.kvdb.core.watch;
