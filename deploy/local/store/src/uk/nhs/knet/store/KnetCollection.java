package uk.nhs.knet.store;

import java.util.List;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;

/**
 * An H2 collection whose queries use the indexes {@link QueryPlanner} chooses, and which records
 * each query's shape and plan in {@link QueryStats}.
 */
final class KnetCollection extends H2Collection {

    /** The $match that leads the aggregation being run on this thread, if any. */
    static final ThreadLocal<Pushdown> AGGREGATION_MATCH = new ThreadLocal<>();

    private static final String ID_SORTED = "_id_sorted";

    record Pushdown(String database, String collection, Document match) {
    }

    KnetCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                   MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        if (getIdField() != null) {
            // The stock _id index is a hash lookup; this one also serves ranges and sorts on _id.
            addIndex(new SortedIndex(ID_SORTED, List.of(new IndexKey(getIdField(), true)), false, getIdField()));
        }
    }

    @Override
    public void drop() {
        // The stock drop expects the declared indexes gone; this one was never declared.
        if (getIndexes().stream().anyMatch(index -> index.getName().equals(ID_SORTED))) {
            dropIndex(ID_SORTED);
        }
        super.drop();
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                         int batchSize, Document fieldSelector) {
        Document planned = query;
        Pushdown pushdown = AGGREGATION_MATCH.get();
        if (query.isEmpty() && pushdown != null && pushdown.database().equals(getDatabaseName())
            && pushdown.collection().equals(getCollectionName())) {
            // The aggregation reads "all documents" and then applies its own $match: hand it
            // the candidates of that $match instead; the stage still filters them.
            planned = pushdown.match();
            AGGREGATION_MATCH.remove();
        }
        boolean natural = orderBy != null && orderBy.containsKey("$natural");
        QueryPlanner.Plan plan = natural ? null : QueryPlanner.plan(getIndexes(), planned, orderBy);
        QueryStats.record(getFullName(), planned, orderBy, plan, count());
        if (plan == null) {
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize,
                fieldSelector);
        }
        return matchDocuments(query, plan.positions(), plan.sortCovered() ? null : orderBy, numberToSkip, limit,
            batchSize, fieldSelector);
    }
}
