package dev.logitlab.service;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.jboss.logging.Logger;

/**
 * Kafka Streams' production-exception handler ({@code production.exception.handler}): a dead-letter copy the broker
 * refuses as too large is dropped with a warning instead of failing the task. Failing it would abort the
 * transaction, and exactly-once would replay the poison record, and fail again, forever. Copies are already bounded
 * ({@link StreamRecords#deadLetter}); this is the guard for a broker configured smaller than that bound. Every
 * other failure is handled as Kafka Streams' default does.
 */
public class DeadLetterOverflow extends DefaultProductionExceptionHandler {

    private static final Logger LOG = Logger.getLogger(DeadLetterOverflow.class);

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                                     Exception exception) {
        if (exception instanceof RecordTooLargeException && record.topic().startsWith("logitlab.dlq.")) {
            LOG.warnf("dropped a dead-letter copy too large for %s (%d bytes): %s", record.topic(),
                    record.value() == null ? 0 : record.value().length, exception.getMessage());
            return ProductionExceptionHandlerResponse.CONTINUE;
        }
        return super.handle(context, record, exception);
    }
}
