package uk.nhs.knet.store;

import java.util.List;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

/**
 * An H2 database whose collections plan their queries, whose non-unique indexes exist, and whose
 * unique indexes are hashed in memory (see {@link HashedUniqueIndex}).
 */
final class KnetDatabase extends H2Database {

    // H2Database opens its collections from its own constructor, before a subclass's fields are
    // set, so the one store of this process is reached statically.
    static MVStore store;

    KnetDatabase(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
        super(databaseName, mvStore, cursorRegistry);
    }

    @Override
    public Document handleCommand(Channel channel, String command, Document query,
                                  DatabaseResolver databaseResolver, Oplog oplog) {
        Document result = super.handleCommand(channel, command, query, databaseResolver, oplog);
        if (command.equalsIgnoreCase("insert") && result.get("writeErrors") instanceof List<?> errors
                && !errors.isEmpty()) {
            // mongo-java-server answers n = every document sent, even those refused (a duplicate
            // key): MongoDB counts only those inserted. Unordered, every other document went
            // in; ordered, those before the first error did.
            int sent = ((List<?>) query.get("documents")).size();
            boolean ordered = !Boolean.FALSE.equals(query.get("ordered"));
            int firstError = ((Number) ((Document) errors.get(0)).get("index")).intValue();
            result.put("n", ordered ? firstError : sent - errors.size());
        }
        return result;
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
        // The same map names as H2Database, so files written by the stock backend open here.
        String fullName = getFullCollectionNamespace(collectionName);
        MVMap<Object, Document> dataMap = store.openMap("databases." + fullName,
            new MVMap.Builder<Object, Document>().valueType(BsonDocumentType.INSTANCE));
        MVMap<String, Object> metaMap = store.openMap("meta." + fullName);
        return new KnetCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                    boolean sparse) {
        // Files written before held the unique indexes as maps (H2Database's names): they are
        // rebuilt in memory now, so the old maps only take space.
        String persisted = getFullCollectionNamespace(collectionName) + "._index_" + indexName;
        if (store.hasMap(persisted)) {
            store.removeMap(persisted);
        }
        return new HashedUniqueIndex(indexName, keys, sparse);
    }

    @Override
    protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                       boolean sparse) {
        return new SortedIndex(indexName, keys, sparse, "_id");
    }
}
