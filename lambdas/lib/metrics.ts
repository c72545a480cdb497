/**
 * CloudWatch metrics in the embedded metric format (EMF): each document one JSON line on standard
 * output, which CloudWatch Logs turns into metrics — no client, no PutMetricData permission.
 * Written with process.stdout.write, not console: under the runtime's JSON log format console
 * output is wrapped in a log record, and CloudWatch would not read the document inside it.
 */

export type MetricUnit = 'Count' | 'Milliseconds';

export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly unit: MetricUnit;
}

/** One EMF document: the metrics, under `namespace`, for one set of dimension values. */
export function metricDocument(namespace: string, dimensions: Readonly<Record<string, string>>, metrics: readonly Metric[], at: Date): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(metrics.map(({ name, value }) => [name, value])),
  };
}

/** Where a flow's metric documents go. */
export type MetricsSink = (documents: readonly Record<string, unknown>[]) => void;

/** Standard output, one document a line: CloudWatch Logs extracts them in Lambda. */
export const emfToStdout: MetricsSink = (documents) => {
  for (const document of documents) process.stdout.write(`${JSON.stringify(document)}\n`);
};
