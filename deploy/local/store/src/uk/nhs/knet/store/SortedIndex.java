package uk.nhs.knet.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A non-unique, possibly compound and multikey index kept in memory in BSON order, which
 * mongo-java-server lacks (it ignores non-unique indexes and scans). It is rebuilt from the
 * documents when the store opens: about a second per 100,000 documents, where persisting it
 * would double every write. Lookups are range scans planned by {@link QueryPlanner}; the
 * collection still matches every candidate against the whole filter.
 *
 * Iteration is weakly consistent (a concurrent skip list), because aggregations and counts read
 * outside the collection's lock.
 */
final class SortedIndex extends Index<Object> {

    static final Comparator<KeyValue> ORDER = (a, b) -> {
        Comparator<Object> values = ValueComparator.ascWithoutListHandling();
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int c = values.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private final ConcurrentSkipListMap<KeyValue, Set<Object>> entries = new ConcurrentSkipListMap<>(ORDER);
    private final AtomicLong count = new AtomicLong();

    private final String idField;

    /** {@code idField}: the collection's id field, whose value H2Collection keys documents by. */
    SortedIndex(String name, List<IndexKey> keys, boolean sparse, String idField) {
        super(name, keys, sparse);
        this.idField = idField;
    }

    /** One entry per element of a multikey field; an empty array indexes as null, as MongoDB does. */
    List<KeyValue> keyValuesOf(Document document) {
        List<List<Object>> combinations = new ArrayList<>();
        combinations.add(new ArrayList<>());
        boolean anyPresent = false;
        for (IndexKey key : getKeys()) {
            Object value = Utils.getSubdocumentValueCollectionAware(document, key.getKey());
            List<Object> options = new ArrayList<>();
            if (value instanceof Collection<?> values) {
                for (Object element : values) {
                    options.add(normalize(element));
                }
                if (options.isEmpty()) {
                    options.add(null);
                }
            } else {
                options.add(normalize(value));
            }
            anyPresent |= !(value instanceof Missing);
            List<List<Object>> next = new ArrayList<>();
            for (List<Object> prefix : combinations) {
                for (Object option : options.stream().distinct().toList()) {
                    List<Object> extended = new ArrayList<>(prefix);
                    extended.add(option);
                    next.add(extended);
                }
            }
            combinations = next;
        }
        if (isSparse() && !anyPresent) {
            return List.of();
        }
        return combinations.stream().map(KeyValue::new).toList();
    }

    static Object normalize(Object value) {
        if (Missing.isNullOrMissing(value)) {
            return null;
        }
        if (value instanceof Number number) {
            return Utils.normalizeNumber(number);
        }
        return value;
    }

    /**
     * The position sets whose keys lie between the bounds, in index order or its reverse. An
     * iterator, not a stream: a stream's iterator buffers a whole flatMap'ed range, and a sorted
     * page must stop after its limit.
     */
    Iterator<Set<Object>> between(KeyValue lower, boolean lowerInclusive, KeyValue upper, boolean upperInclusive,
                                  boolean descending) {
        if (ORDER.compare(lower, upper) > 0) {
            return Collections.emptyIterator();
        }
        NavigableMap<KeyValue, Set<Object>> range = entries.subMap(lower, lowerInclusive, upper, upperInclusive);
        return (descending ? range.descendingMap() : range).values().iterator();
    }

    @Override
    public Object getPosition(Document document) {
        return null;  // positions come from the collection's _id index
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {
        keyValuesOf(document);  // refuses parallel arrays early, before the document is stored
    }

    @Override
    public void add(Document document, Object position, MongoCollection<Object> collection) {
        for (KeyValue key : keyValuesOf(document)) {
            if (entries.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(position)) {
                count.incrementAndGet();
            }
        }
    }

    @Override
    public Object remove(Document document) {
        Object position = Missing.ofNullable(Utils.getSubdocumentValue(document, idField));
        List<KeyValue> keys = keyValuesOf(document);
        for (KeyValue key : keys) {
            removeEntry(key, position);
        }
        return keys.isEmpty() ? null : position;
    }

    private void removeEntry(KeyValue key, Object position) {
        entries.computeIfPresent(key, (k, positions) -> {
            if (positions.remove(position)) {
                count.decrementAndGet();
            }
            return positions.isEmpty() ? null : positions;
        });
    }

    @Override
    public boolean canHandle(Document query) {
        return false;  // QueryPlanner decides; the stock planner only knows exact key matches
    }

    @Override
    public Iterable<Object> getPositions(Document query) {
        return Collections.emptyList();
    }

    @Override
    public long getCount() {
        return count.get();
    }

    @Override
    public long getDataSize() {
        return count.get() * 64;
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        keyValuesOf(newDocument);
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, Object position,
                              MongoCollection<Object> collection) {
        // Most updates leave an index's fields alone (the relay's removals touch only the
        // outbox): a plain comparison of those fields skips building their keys twice.
        boolean unchanged = true;
        for (IndexKey key : getKeys()) {
            String path = key.getKey();
            unchanged &= java.util.Objects.equals(Utils.getSubdocumentValueCollectionAware(oldDocument, path),
                Utils.getSubdocumentValueCollectionAware(newDocument, path));
            if (!unchanged) {
                break;
            }
        }
        if (unchanged) {
            return;
        }
        List<KeyValue> before = keyValuesOf(oldDocument);
        List<KeyValue> after = keyValuesOf(newDocument);
        if (before.equals(after)) {
            return;
        }
        for (KeyValue key : before) {
            if (!after.contains(key)) {
                removeEntry(key, position);
            }
        }
        for (KeyValue key : after) {
            if (!before.contains(key)
                && entries.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(position)) {
                count.incrementAndGet();
            }
        }
    }

    @Override
    public void drop() {
        entries.clear();
        count.set(0);
    }
}
