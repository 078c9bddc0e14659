using System.Diagnostics.Metrics;
using Edge.Outputs.Metrics;

namespace Edge.Testing;

/// <summary>
/// Listens to one <see cref="RuntimeMetrics"/>' meter (only its own, though other tests make meters of the same name)
/// and sums what it records per instrument and tag set, as an exporter would.
/// </summary>
internal sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly Dictionary<string, double> sums = [];
    private readonly Dictionary<string, List<double>> values = [];
    private readonly Dictionary<string, IReadOnlyList<double>?> buckets = [];

    public MeterRecorder(Meter meter)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                buckets[instrument.Name] = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries;
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();
    }

    /// <summary>Instrument name then <c>{name="value",...}</c> in the order the tags came, as the text exposition writes series.</summary>
    public static string Key(string instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<string>();
        foreach (var tag in tags)
        {
            labels.Add($"{tag.Key}=\"{tag.Value}\"");
        }

        return labels.Count == 0 ? instrument : $"{instrument}{{{string.Join(',', labels)}}}";
    }

    /// <summary>Runs the observable instruments' callbacks (a collection); their measurements arrive like recorded ones.</summary>
    public void Collect() => listener.RecordObservableInstruments();

    public IReadOnlyDictionary<string, double> Sums => sums;

    public IReadOnlyList<double> Values(string key) => values.TryGetValue(key, out var found) ? found : [];

    public IReadOnlyList<double>? Buckets(string instrument) => buckets.GetValueOrDefault(instrument);

    public void Dispose() => listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = Key(instrument.Name, tags);
        lock (sums)
        {
            sums[key] = instrument is ObservableInstrument<int> or ObservableInstrument<long> or ObservableInstrument<double> ? value : sums.GetValueOrDefault(key) + value;
            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
            }

            list.Add(value);
        }
    }
}
