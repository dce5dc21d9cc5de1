package uk.nhs.knet.store;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * The platform's local MongoDB-wire store: mongo-java-server on an H2 MVStore file, made durable
 * and compact for a long-running network rather than a unit test.
 *
 * <ul>
 *   <li>Every command that changed the store is committed before its answer leaves, so an
 *       acknowledged write survives kill -9 (the stock backend commits about once a second in
 *       the background: a kill right after 2,000 acknowledged inserts kept 651). Writers that
 *       wait at the same time share a commit ({@link GroupCommit}).
 *   <li>Old chunks are not retained (retention time 0): with the default 45 s, 100,000 updates
 *       of 1,000 documents grew the file to 1.8 GB; with 0 it stays near its live size.
 *   <li>It reports MongoDB 4.4 (wire version 9), the oldest server current PyMongo accepts; the
 *       stock backend reports 5.0 with wire version 8, which PyMongo refuses.
 *   <li>A commit never runs while a command runs. mongo-java-server updates a document in place,
 *       the very instance the MVStore page holds, and a commit serialises those pages: an update
 *       meeting another thread's commit threw ConcurrentModificationException in the encoder,
 *       MVStore panicked and closed, and every later command failed ("This store is closed").
 *       Commands share a read lock; a commit takes the write lock; MVStore's own background
 *       commits are off, so no commit happens but these.
 * </ul>
 *
 * Usage: {@code KnetStore --host 127.0.0.1 --port 27017 --file .data/store/knet.mv.db}
 */
public final class KnetStore {

    private static final Logger log = LoggerFactory.getLogger(KnetStore.class);

    private static final int WORKERS = 16;

    private KnetStore() {
    }

    /** MongoDB 4.4: what PyMongo 4.x requires at least, and no more than this server does. */
    private static final MongoVersion MONGO_4_4 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    /** The H2 backend, committing whatever a command changed before it answers. */
    static final class DurableH2Backend extends H2Backend {

        private final GroupCommit commits;
        private final ReentrantReadWriteLock pages = new ReentrantReadWriteLock();

        DurableH2Backend(MVStore mvStore) {
            super(mvStore);
            commits = new GroupCommit(mvStore, pages.writeLock());
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new KnetDatabase(databaseName, getMvStore(), getCursorRegistry());
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            if (command.equals("knetQueryPlans")) {
                return QueryStats.report();
            }
            if (command.equals("knetResetQueryPlans")) {
                QueryStats.reset();
                return QueryStats.report();
            }
            if (command.equalsIgnoreCase("aggregate") && query.get("pipeline") instanceof List<?> pipeline
                && !pipeline.isEmpty() && pipeline.get(0) instanceof Document first
                && first.get("$match") instanceof Document match) {
                KnetCollection.AGGREGATION_MATCH.set(
                    new KnetCollection.Pushdown(database, String.valueOf(query.get(command)), match));
            }
            pages.readLock().lock();
            try {
                return super.handleCommand(channel, database, command, query);
            } finally {
                pages.readLock().unlock();
                KnetCollection.AGGREGATION_MATCH.remove();
                // A failed batch may still have written part of itself; commit that too, as
                // MongoDB keeps the documents an unordered insert wrote before a duplicate key.
                if (getMvStore().hasUnsavedChanges()) {
                    commits.awaitDurable();
                }
            }
        }
    }

    /** How documents are laid out in the file; a file of another layout is refused, not misread. */
    static final String FORMAT = "bson-1";

    private static void checkFormat(MVStore mvStore, Path file) {
        MVMap<String, String> meta = mvStore.openMap("knet.meta");
        String found = meta.get("format");
        boolean hasData = mvStore.getMapNames().stream().anyMatch(name -> name.startsWith("databases."));
        if (found == null && !hasData) {
            meta.put("format", FORMAT);
            mvStore.commit();
        } else if (!FORMAT.equals(found)) {
            mvStore.closeImmediately();
            throw new IllegalStateException(file.toAbsolutePath() + " holds data in another layout ("
                + (found == null ? "an earlier store" : found) + ") than this store reads (" + FORMAT
                + "); move it aside, or run `knet infra down` and remove .data/store");
        }
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 27017;
        Path file = Path.of("knet.mv.db");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--file" -> file = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // A page cache large enough that a national directory's hot pages are decoded once.
        MVStore mvStore = new MVStore.Builder().fileName(file.toString()).cacheSize(256)
            .autoCommitDisabled()
            .pageSplitSize(Integer.getInteger("knet.pageSplit", 4 * 1024)).open();
        mvStore.setRetentionTime(0);
        checkFormat(mvStore, file);
        KnetDatabase.store = mvStore;
        DurableH2Backend backend = new DurableH2Backend(mvStore);
        backend.version(MONGO_4_4);
        MongoServer server = new MongoServer(backend);
        // More workers than cores: a worker waits for its write's commit, and the writers that
        // wait together share one.
        server.bind(new InetSocketAddress(host, port), 1, WORKERS);
        log.info("knet store listening on {}:{} with data in {}", host, port, file.toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("knet store stopping");
            server.shutdownNow();
        }, "knet-store-shutdown"));
    }
}
