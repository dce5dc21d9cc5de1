package uk.nhs.knet.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Stores documents as BSON. The stock backend lets H2 fall back to Java serialization for them,
 * which was a quarter of the store's CPU under the regional-submissions benchmark (every commit
 * re-writes the pages it touched) and is several times larger than BSON.
 */
final class BsonDocumentType extends BasicDataType<Document> {

    static final BsonDocumentType INSTANCE = new BsonDocumentType();

    private BsonDocumentType() {
    }

    @Override
    public int getMemory(Document document) {
        // The page cache's accounting of what a decoded document holds on the heap. Counting
        // only its top-level fields took a fan-out chunk (500 jobs in its outbox, about a
        // megabyte decoded) for 512 bytes, so a 256 MB cache held gigabytes and a 100,000
        // fan-out ran the store out of memory. Walking the values costs no more than the
        // encoding every put does anyway.
        return (int) Math.min(Integer.MAX_VALUE, estimate(document));
    }

    private static long estimate(Object value) {
        if (value instanceof Document document) {
            long size = 64;
            for (var entry : document.entrySet()) {
                size += 48 + 2L * entry.getKey().length() + estimate(entry.getValue());
            }
            return size;
        }
        if (value instanceof java.util.Collection<?> values) {
            long size = 32;
            for (Object element : values) {
                size += 8 + estimate(element);
            }
            return size;
        }
        if (value instanceof String text) {
            return 48 + 2L * text.length();
        }
        return 24;
    }

    @Override
    public void write(WriteBuffer buffer, Document document) {
        ByteBuf encoded = Unpooled.buffer(1024);
        try {
            BsonEncoder.encodeDocument(document, encoded);
            buffer.put(encoded.array(), encoded.arrayOffset() + encoded.readerIndex(), encoded.readableBytes());
        } finally {
            encoded.release();
        }
    }

    @Override
    public Document read(ByteBuffer buffer) {
        int length = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        ByteBuf wrapped = Unpooled.wrappedBuffer(bytes);
        try {
            return BsonDecoder.decodeBson(wrapped);
        } finally {
            wrapped.release();
        }
    }

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }
}
