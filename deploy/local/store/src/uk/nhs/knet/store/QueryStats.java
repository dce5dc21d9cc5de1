package uk.nhs.knet.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;

/**
 * Which plan served each query shape, so that a test can check every query the platform really
 * ran against the indexes it declared (command {@code knetQueryPlans} on any database; the
 * shape keeps field names and operators and drops the values).
 */
final class QueryStats {

    private record Key(String namespace, String filter, String sort, String plan, String stage) {
    }

    private static final Map<Key, LongAdder> COUNTS = new ConcurrentHashMap<>();
    private static final Map<Key, Integer> LARGEST = new ConcurrentHashMap<>();
    private static final Map<Key, Document> SHAPES = new ConcurrentHashMap<>();

    private QueryStats() {
    }

    /**
     * Records one query. Its stage, in MongoDB's words: IXSCAN (an index narrowed it),
     * FULL_IXSCAN (an index walked whole for its order), or COLLSCAN.
     */
    static void record(String namespace, Document query, Document orderBy, QueryPlanner.Plan plan, int documents) {
        if (namespace.contains(".system.")) {
            return;
        }
        String stage = plan == null ? "COLLSCAN" : plan.bounded() ? "IXSCAN" : "FULL_IXSCAN";
        Key key = new Key(namespace, shape(query), orderBy == null ? "" : String.join(", ", orderBy.keySet()),
            plan == null ? "" : plan.indexName(), stage);
        COUNTS.computeIfAbsent(key, k -> new LongAdder()).increment();
        LARGEST.merge(key, documents, Math::max);
        SHAPES.computeIfAbsent(key, k -> (Document) structure(query));
    }

    static Document report() {
        List<Document> plans = new ArrayList<>();
        COUNTS.forEach((key, count) -> plans.add(new Document("ns", key.namespace())
            .append("filter", key.filter())
            .append("sort", key.sort())
            .append("filterShape", SHAPES.get(key))
            .append("plan", key.plan())
            .append("stage", key.stage())
            .append("count", count.longValue())
            .append("largestCollection", LARGEST.getOrDefault(key, 0))));
        Document response = new Document("plans", plans);
        Utils.markOkay(response);
        return response;
    }

    static void reset() {
        COUNTS.clear();
        LARGEST.clear();
        SHAPES.clear();
    }

    /** The filter with every value replaced by 1, operators and branches kept. */
    static Object structure(Object value) {
        if (value instanceof Document document) {
            Document shaped = new Document();
            document.forEach((field, inner) -> shaped.put(field, structure(inner)));
            return shaped;
        }
        if (value instanceof Collection<?> values && values.stream().anyMatch(v -> v instanceof Document)) {
            return values.stream().map(QueryStats::structure).toList();
        }
        return 1;
    }

    /** Field names and operators in a stable order, values replaced by 1. */
    static String shape(Object value) {
        if (value instanceof Document document) {
            Map<String, String> fields = new TreeMap<>();
            document.forEach((field, inner) -> fields.put(field, shape(inner)));
            StringBuilder out = new StringBuilder("{");
            fields.forEach((field, inner) -> {
                if (out.length() > 1) {
                    out.append(", ");
                }
                out.append(field).append(": ").append(inner);
            });
            return out.append("}").toString();
        }
        if (value instanceof Collection<?> values) {
            // $or/$and branches keep their shapes; a list of plain values is one value.
            List<String> shapes = values.stream().map(QueryStats::shape).distinct().sorted().toList();
            return shapes.stream().allMatch("1"::equals) ? "1" : shapes.toString();
        }
        return "1";
    }
}
