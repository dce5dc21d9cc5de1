package uk.nhs.knet.store;

import java.util.concurrent.locks.Lock;

import org.h2.mvstore.MVStore;

/**
 * Commits shared by the writers waiting at the same time: each write waits until a commit that
 * began after it has finished, and one writer commits for all who wait. Committing once per
 * write cost about a millisecond of store CPU each and capped the store near 1,000 writes/s
 * under concurrent load; grouped, a commit carries every write that arrived meanwhile.
 *
 * Writes are counted, not matched to store versions: a commit stores whatever was unsaved when
 * it began, so every write counted before it began is on disk once it returns (also when it
 * found nothing left to store, because another commit took it).
 */
final class GroupCommit {

    private final MVStore store;
    // Held while committing: no command runs meanwhile (see KnetStore on in-place updates).
    private final Lock quiet;
    private final Object monitor = new Object();
    private long written;     // writes finished so far
    private long durable;     // writes known to be on disk
    private boolean committing;

    GroupCommit(MVStore store, Lock quiet) {
        this.store = store;
        this.quiet = quiet;
    }

    /** Call after a write: returns once that write is on disk. */
    void awaitDurable() {
        long mine;
        synchronized (monitor) {
            mine = ++written;
        }
        while (true) {
            long covers;
            synchronized (monitor) {
                if (durable >= mine) {
                    return;
                }
                if (committing) {
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for a commit", e);
                    }
                    continue;
                }
                committing = true;
                covers = written;
            }
            boolean stored = false;
            quiet.lock();
            try {
                store.commit();
                stored = true;
            } finally {
                quiet.unlock();
                synchronized (monitor) {
                    committing = false;
                    if (stored) {
                        durable = Math.max(durable, covers);
                    }
                    monitor.notifyAll();
                }
            }
        }
    }
}
