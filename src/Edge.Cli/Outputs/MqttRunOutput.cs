using Edge.Cli.Configuration;
using Edge.Outputs.Mqtt;
using Edge.Runtime.Bundles;
using Edge.Runtime.Publishing;

namespace Edge.Cli.Outputs;

/// <summary>
/// <c>--mqtt</c>: connects at once and says <c>starting</c> (a TensorRT engine build can take minutes), <c>online</c>
/// once frames flow; drains and reports at the end.
/// </summary>
internal sealed class MqttRunOutput(MqttOutput mqtt) : RunOutput
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    public override IFrameOutput Output => mqtt;

    public static RunOutput? Create(RunContext context)
    {
        if (context.Settings.Mqtt is not { Uri: { } uri } settings)
        {
            return null;
        }

        var mqtt = new MqttOutput(
            new MqttPublisherOptions
            {
                Settings = settings,
                Endpoint = MqttEndpoint.Parse(uri),
                Device = context.Settings.Device,
                Labels = context.LabelNames,
                Password = Password(settings),
                ModelName = context.Model.Name,
                Streams = [.. context.Settings.EffectiveStreams().Select(stream => stream.Id)],
                Heads = Heads(context),
            },
            context.Loggers.CreateLogger("edge.mqtt"),
            context.Time);
        mqtt.Publisher.SetAvailability("starting");
        mqtt.Publisher.Start();
        return new MqttRunOutput(mqtt);
    }

    public override void Starting(RunStart start) => mqtt.Publisher.SetAvailability("online");

    public override void Finish(TextWriter summary)
    {
        var publisher = mqtt.Publisher;
        publisher.Stop(DrainTimeout);
        summary.WriteLine($"mqtt: {publisher.Published} messages published, {publisher.Dropped} dropped (outbox full), {publisher.Failed} failed, {publisher.Undelivered} not delivered at stop, {publisher.Reconnects} connections; {publisher.Status}");
    }

    /// <summary>
    /// The configured model and every further head with its labels (read from its bundle's manifest, unverified: the
    /// pipeline loads and checks each bundle itself).
    /// </summary>
    private static IReadOnlyList<MqttHead> Heads(RunContext context) =>
    [
        new MqttHead(context.Model.Name, context.LabelNames),
        .. context.Settings.Heads.Select(head => new MqttHead(head.Name, [.. ModelBundle.Load(head.Model, verifyHash: false).Labels.Select(label => label.Name)])),
    ];

    /// <summary>The broker password: EDGE_MQTT_PASSWORD, else the file mqtt.password_file names; never from the config file itself.</summary>
    private static string? Password(MqttSettings settings) =>
        Environment.GetEnvironmentVariable(RunSettings.MqttPasswordVariable) is { Length: > 0 } password ? password
        : settings.PasswordFile is { } file ? File.ReadAllText(file).TrimEnd('\r', '\n')
        : null;
}
