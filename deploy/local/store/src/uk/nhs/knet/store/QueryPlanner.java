package uk.nhs.knet.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;

/**
 * Chooses an index for a filter and a sort the way MongoDB's planner would for the shapes the
 * platform runs: equality (or {@code $in}) on a prefix of the index's keys, then one range
 * ({@code $gt}/{@code $lt}..., an anchored regex, {@code $exists: true}, or the bounds that a
 * keyset cursor's {@code $or} implies) on the next key, and the sort taken from the index when
 * the sort keys follow the equality prefix. The collection re-checks every candidate against the
 * whole filter, so bounds only need to be wide enough, never exact.
 */
final class QueryPlanner {

    /** A range on one field; a null bound is open. */
    record Range(Object low, boolean lowInclusive, Object high, boolean highInclusive) {
        static final Range ALL = new Range(null, true, null, true);

        Range widen(Range other) {
            if (low == NULL_EXCLUSIVE || other.low == NULL_EXCLUSIVE) {
                return new Range(null, true, null, true);  // wider is always safe
            }
            Object lo;
            boolean loInc;
            if (low == null || other.low == null) {
                lo = null;
                loInc = true;
            } else {
                int c = SortedIndex.ORDER.compare(new KeyValue(low), new KeyValue(other.low));
                lo = c <= 0 ? low : other.low;
                loInc = c < 0 ? lowInclusive : c > 0 ? other.lowInclusive : lowInclusive || other.lowInclusive;
            }
            Object hi;
            boolean hiInc;
            if (high == null || other.high == null) {
                hi = null;
                hiInc = true;
            } else {
                int c = SortedIndex.ORDER.compare(new KeyValue(high), new KeyValue(other.high));
                hi = c >= 0 ? high : other.high;
                hiInc = c > 0 ? highInclusive : c < 0 ? other.highInclusive : highInclusive || other.highInclusive;
            }
            return new Range(lo, loInc, hi, hiInc);
        }
    }

    /** What a filter says about one field: the values it must equal, or a range, or nothing. */
    record Condition(List<Object> equals, Range range) {
        static final Condition NONE = new Condition(null, null);
    }

    /** A chosen plan: the index, and the candidate positions it yields. */
    /**
     * A chosen plan. {@code bounded}: the index narrowed the candidates (an equality or a range
     * on its leading key); otherwise it was walked whole, for its order only.
     */
    record Plan(String indexName, boolean bounded, boolean sortCovered, Iterable<Object> positions) {
    }

    private QueryPlanner() {
    }

    static Condition conditionOn(Document query, String field) {
        if (query.containsKey(field)) {
            return condition(query.get(field));
        }
        // A keyset cursor: {$or: [{k: {$gt: v}}, {k: v, _id: {$gt: id}}]} bounds k below by v.
        if (query.get("$or") instanceof Collection<?> branches && !branches.isEmpty()) {
            Range union = null;
            for (Object branch : branches) {
                if (!(branch instanceof Document document) || !document.containsKey(field)) {
                    return Condition.NONE;
                }
                Condition c = condition(document.get(field));
                Range r = c.range != null ? c.range
                    : c.equals != null && c.equals.size() == 1 ? new Range(c.equals.get(0), true, c.equals.get(0), true)
                    : null;
                if (r == null) {
                    return Condition.NONE;
                }
                union = union == null ? r : union.widen(r);
            }
            return new Condition(null, union);
        }
        return Condition.NONE;
    }

    private static Condition condition(Object value) {
        if (BsonRegularExpression.isRegularExpression(value)) {
            return new Condition(null, prefixRange(BsonRegularExpression.convertToRegularExpression(value)));
        }
        if (value instanceof Document document) {
            if (document.isEmpty() || !document.keySet().iterator().next().startsWith("$")) {
                return new Condition(List.of(value), null);  // an embedded document, matched whole
            }
            if (document.containsKey("$eq") && isPlain(document.get("$eq"))) {
                return new Condition(Collections.singletonList(SortedIndex.normalize(document.get("$eq"))), null);
            }
            if (document.size() == 1 && document.get("$elemMatch") instanceof Document element
                && !element.isEmpty() && element.keySet().stream().allMatch(k -> k.startsWith("$"))) {
                // {$elemMatch: {$gte: a, $lt: b}} on an array of values: one element within both
                // bounds, so MongoDB (and this planner) may intersect them on a multikey index.
                return condition(element);
            }
            if (document.get("$in") instanceof Collection<?> values && values.stream().allMatch(QueryPlanner::isPlain)) {
                return new Condition(values.stream().map(SortedIndex::normalize).distinct().toList(), null);
            }
            Object low = null;
            boolean lowInclusive = true;
            Object high = null;
            boolean highInclusive = true;
            boolean bounded = false;
            for (String operator : document.keySet()) {
                Object bound = SortedIndex.normalize(document.get(operator));
                switch (operator) {
                    case "$gt" -> { low = bound; lowInclusive = false; bounded = true; }
                    case "$gte" -> { low = bound; lowInclusive = true; bounded = true; }
                    case "$lt" -> { high = bound; highInclusive = false; bounded = true; }
                    case "$lte" -> { high = bound; highInclusive = true; bounded = true; }
                    case "$exists" -> {
                        if (Boolean.TRUE.equals(document.get(operator))) {
                            // Anything above null: documents without the field index as null.
                            low = NULL_EXCLUSIVE;
                            lowInclusive = false;
                            bounded = true;
                        }
                    }
                    default -> { }
                }
            }
            if (document.containsKey("$regex")) {
                Range prefix = prefixRange(BsonRegularExpression.convertToRegularExpression(document));
                return new Condition(null, prefix);
            }
            return bounded ? new Condition(null, new Range(low, lowInclusive, high, highInclusive)) : Condition.NONE;
        }
        if (value instanceof Collection<?>) {
            return Condition.NONE;  // whole-array equality: rare, left to the scan
        }
        // null too (List.of refuses it): {k: null} matches null and missing, both indexed as null.
        return new Condition(Collections.singletonList(SortedIndex.normalize(value)), null);
    }

    /** Marks "above every null" for {@code $exists: true}. */
    static final Object NULL_EXCLUSIVE = new Object();

    private static boolean isPlain(Object value) {
        return !(value instanceof Document) && !(value instanceof Collection<?>)
            && !BsonRegularExpression.isRegularExpression(value);
    }

    /** {@code ^abc...} case-sensitively: the strings from "abc" up to "abc\uffff". */
    private static Range prefixRange(BsonRegularExpression regex) {
        String options = regex.getOptions() == null ? "" : regex.getOptions();
        String pattern = regex.getPattern();
        if (options.contains("i") || options.contains("x") || !pattern.startsWith("^")) {
            return null;
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 1; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length() && !Character.isLetterOrDigit(pattern.charAt(i + 1))) {
                prefix.append(pattern.charAt(++i));
            } else if (Character.isLetterOrDigit(c) || " -_@',:;/#&!\"%=<>~`".indexOf(c) >= 0) {
                prefix.append(c);
            } else {
                break;
            }
        }
        if (prefix.isEmpty()) {
            return null;
        }
        // A quantifier after the last literal makes it optional: drop that character.
        int end = prefix.length() + 1;
        if (end < pattern.length() && "?*{".indexOf(pattern.charAt(end)) >= 0) {
            prefix.setLength(prefix.length() - 1);
            if (prefix.isEmpty()) {
                return null;
            }
        }
        return new Range(prefix.toString(), true, prefix + "\uffff", true);
    }

    /** The best plan for the filter and sort, or null when only a collection scan will do. */
    static Plan plan(Collection<Index<Object>> indexes, Document query, Document orderBy) {
        Document fields = new Document();
        List<Collection<?>> ors = new ArrayList<>();
        hoist(query, fields, ors);
        Candidate best = best(indexes, fields, orderBy);
        for (Collection<?> or : ors) {
            Document variant = new Document(fields);
            variant.put("$or", or);
            Candidate candidate = best(indexes, variant, orderBy);
            if (candidate != null && (best == null || candidate.score() > best.score())) {
                best = candidate;
            }
        }
        for (Collection<?> or : ors) {
            Plan union = orPlan(indexes, fields, or, best == null ? 0 : best.score());
            if (union != null) {
                return union;
            }
        }
        return best == null ? null : best.toPlan();
    }

    /**
     * The fields a filter constrains, with those inside {@code $and} branches lifted beside
     * them, and its {@code $or} lists (a keyset cursor's and a filter's may meet in one
     * {@code $and}). Where a field appears twice the first is kept: a wider plan is still right,
     * since every candidate is matched against the whole filter.
     */
    private static void hoist(Document query, Document fields, List<Collection<?>> ors) {
        query.forEach((field, value) -> {
            if (field.equals("$and") && value instanceof Collection<?> branches) {
                for (Object branch : branches) {
                    if (branch instanceof Document document) {
                        hoist(document, fields, ors);
                    }
                }
            } else if (field.equals("$or") && value instanceof Collection<?> branches && !branches.isEmpty()) {
                ors.add(branches);
            } else if (!field.startsWith("$")) {
                fields.putIfAbsent(field, value);
            }
        });
    }

    private static Candidate best(Collection<Index<Object>> indexes, Document query, Document orderBy) {
        Candidate best = null;
        for (Index<Object> index : indexes) {
            Candidate candidate = evaluate(index, query, orderBy);
            if (candidate != null && (best == null || candidate.score() > best.score())) {
                best = candidate;
            }
        }
        return best;
    }

    /**
     * MongoDB's OR plan: each branch of a top-level {@code $or} (with the fields beside it) from
     * its own index, the candidates united. Taken when every branch narrows better than the
     * best single plan does (a keyset cursor's {@code $or} does not; "shares an interest or a
     * skill" does).
     */
    private static Plan orPlan(Collection<Index<Object>> indexes, Document fields, Collection<?> branches,
                               int toBeat) {
        List<Plan> plans = new ArrayList<>();
        for (Object branch : branches) {
            if (!(branch instanceof Document branchQuery)) {
                return null;
            }
            Document merged = new Document(fields);
            merged.putAll(branchQuery);
            Candidate candidate = best(indexes, merged, null);
            if (candidate == null || !candidate.bounded() || candidate.score() <= toBeat) {
                return null;
            }
            plans.add(candidate.toPlan());
        }
        String name = "OR(" + String.join(", ", plans.stream().map(Plan::indexName).toList()) + ")";
        Iterable<Object> positions = () -> new Iterator<>() {
            private final Set<Object> seen = new HashSet<>();
            private final Iterator<Plan> remaining = plans.iterator();
            private Iterator<Object> current = Collections.emptyIterator();
            private Object next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    if (current.hasNext()) {
                        Object candidate = current.next();
                        if (seen.add(candidate)) {
                            next = candidate;
                        }
                    } else if (remaining.hasNext()) {
                        current = remaining.next().positions().iterator();
                    } else {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Object result = next;
                next = null;
                return result;
            }
        };
        return new Plan(name, true, false, positions);
    }

    private record Candidate(Index<Object> index, List<List<Object>> equalities, Range range,
                             boolean sortCovered, boolean descending, Document uniqueLookup) {
        boolean bounded() {
            return uniqueLookup != null || !equalities.isEmpty() || range != null;
        }

        int score() {
            if (uniqueLookup != null) {
                return 1000;
            }
            return equalities.size() * 10 + (range != null ? 5 : 0) + (sortCovered ? 2 : 0);
        }

        Plan toPlan() {
            if (uniqueLookup != null) {
                return new Plan(index.getName(), true, true, index.getPositions(uniqueLookup));
            }
            SortedIndex sorted = (SortedIndex) index;
            int width = index.getKeys().size();
            List<List<Object>> prefixes = new ArrayList<>();
            prefixes.add(new ArrayList<>());
            for (List<Object> values : equalities) {
                List<List<Object>> next = new ArrayList<>();
                for (List<Object> prefix : prefixes) {
                    for (Object value : values) {
                        List<Object> extended = new ArrayList<>(prefix);
                        extended.add(value);
                        next.add(extended);
                    }
                }
                prefixes = next;
            }
            Range r = range == null ? Range.ALL : range;
            List<List<Object>> finalPrefixes = prefixes;
            Iterable<Object> positions = () -> new Iterator<>() {
                private final Set<Object> seen = new HashSet<>();
                private final Iterator<List<Object>> prefixes = finalPrefixes.iterator();
                private Iterator<Set<Object>> sets = Collections.emptyIterator();
                private Iterator<Object> current = Collections.emptyIterator();
                private Object next;

                @Override
                public boolean hasNext() {
                    while (next == null) {
                        if (current.hasNext()) {
                            Object candidate = current.next();
                            if (seen.add(candidate)) {
                                next = candidate;
                            }
                        } else if (sets.hasNext()) {
                            current = sets.next().iterator();
                        } else if (prefixes.hasNext()) {
                            List<Object> prefix = prefixes.next();
                            sets = sorted.between(bound(prefix, r.low(), r.lowInclusive(), true, width),
                                inclusive(prefix, r.low(), r.lowInclusive(), width),
                                bound(prefix, r.high(), r.highInclusive(), false, width),
                                inclusive(prefix, r.high(), r.highInclusive(), width), descending);
                        } else {
                            return false;
                        }
                    }
                    return true;
                }

                @Override
                public Object next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    Object result = next;
                    next = null;
                    return result;
                }
            };
            return new Plan(index.getName(), bounded(), sortCovered, positions);
        }
    }

    /**
     * A bound key: the equality prefix, the range value (or the open end), then MinKey or MaxKey
     * for the rest so that an inclusive bound takes in every suffix and an exclusive one none.
     */
    private static KeyValue bound(List<Object> prefix, Object value, boolean inclusive, boolean lower, int width) {
        List<Object> key = new ArrayList<>(prefix);
        if (key.size() < width) {
            if (value == NULL_EXCLUSIVE) {
                key.add(null);
                inclusive = false;
            } else if (value == null) {
                key.add(lower ? MinKey.getInstance() : MaxKey.getInstance());
                inclusive = true;
            } else {
                key.add(value);
            }
            boolean padLow = lower == inclusive;
            while (key.size() < width) {
                key.add(padLow ? MinKey.getInstance() : MaxKey.getInstance());
            }
        }
        return new KeyValue(key);
    }

    /** Padding makes a bound exact; without padding (the range is on the last key) it needs the flag. */
    private static boolean inclusive(List<Object> prefix, Object value, boolean inclusive, int width) {
        return prefix.size() + 1 != width || value == null || inclusive && value != NULL_EXCLUSIVE;
    }

    private static Candidate evaluate(Index<Object> index, Document query, Document orderBy) {
        List<IndexKey> keys = index.getKeys();
        List<List<Object>> equalities = new ArrayList<>();
        int m = 0;
        while (m < keys.size()) {
            Condition c = conditionOn(query, keys.get(m).getKey());
            if (c.equals == null) {
                break;
            }
            equalities.add(c.equals);
            m++;
        }
        if (index instanceof AbstractUniqueIndex<?>) {
            if (m < keys.size() || equalities.stream().anyMatch(values -> values.size() != 1)) {
                return null;
            }
            Document lookup = new Document();
            for (int i = 0; i < keys.size(); i++) {
                lookup.put(keys.get(i).getKey(), equalities.get(i).get(0));
            }
            return index.canHandle(lookup) ? new Candidate(index, equalities, null, true, false, lookup) : null;
        }
        if (!(index instanceof SortedIndex)) {
            return null;
        }
        Range range = m < keys.size() ? conditionOn(query, keys.get(m).getKey()).range : null;
        boolean singlePrefix = equalities.stream().allMatch(values -> values.size() == 1);
        boolean sortCovered = true;
        boolean descending = false;
        if (orderBy != null && !orderBy.isEmpty()) {
            List<String> sortKeys = new ArrayList<>(orderBy.keySet());
            Set<Integer> directions = new HashSet<>();
            for (Object direction : orderBy.values()) {
                directions.add(direction instanceof Number n && n.intValue() < 0 ? -1 : 1);
            }
            sortCovered = singlePrefix && directions.size() == 1 && m + sortKeys.size() <= keys.size();
            for (int i = 0; sortCovered && i < sortKeys.size(); i++) {
                sortCovered = keys.get(m + i).getKey().equals(sortKeys.get(i));
            }
            descending = directions.contains(-1);
        }
        boolean sorts = orderBy != null && !orderBy.isEmpty() && sortCovered;
        if (m == 0 && range == null && !sorts) {
            return null;
        }
        return new Candidate(index, equalities, range, sortCovered, descending, null);
    }
}
