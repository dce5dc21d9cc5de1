package uk.nhs.knet.store;

import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.concurrent.ConcurrentHashMap;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;

/**
 * A unique index (every collection's _id, and those declared unique) held in memory as a hash
 * map, as mongo-java-server's memory backend holds them, and rebuilt from the documents when
 * the store opens (AbstractMongoCollection.addIndex fills an empty index).
 *
 * <p>The H2 backend keeps them in MVStore maps keyed by {@link KeyValue}, which is not
 * Comparable: H2 then compares two keys by Java-serialising both, at every step of every
 * B-tree search. Each _id lookup and each write paid for it: 25% of the store's time under the
 * conversations benchmark. The documents stay in the file; an index is derived from them.
 */
final class HashedUniqueIndex extends AbstractUniqueIndex<Object> {

    private final Map<KeyValue, Object> positions = new ConcurrentHashMap<>();

    HashedUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
    }

    @Override
    protected Object removeDocument(KeyValue keyValue) {
        return positions.remove(keyValue);
    }

    @Override
    protected boolean putKeyPosition(KeyValue keyValue, Object position) {
        // As H2UniqueIndex: a null position (a document without the key) is stored as Missing.
        return positions.putIfAbsent(keyValue, Missing.ofNullable(position)) == null;
    }

    @Override
    protected Iterable<Entry<KeyValue, Object>> getIterable() {
        return positions.entrySet();
    }

    @Override
    protected Object getPosition(KeyValue keyValue) {
        return positions.get(keyValue);
    }

    @Override
    public long getCount() {
        return positions.size();
    }

    @Override
    public boolean isEmpty() {
        return positions.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }
}
