using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// The transport half (DeepStream's nvmsgbroker): connects to one broker and sends the messages it is given. It knows
/// no payloads, retries or counters; the <see cref="MqttConnectionSupervisor"/> decides when to connect and what to send.
/// </summary>
internal sealed class MqttBrokerClient : IDisposable
{
    private static readonly byte[] Offline = "offline"u8.ToArray();

    private readonly IMqttClient client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttConnectionOptions options;

    public MqttBrokerClient(MqttConnectionOptions options)
    {
        this.options = options;
    }

    public MqttEndpoint Endpoint => options.Endpoint;

    public string ClientId => options.ClientId;

    public bool IsConnected => client.IsConnected;

    /// <summary>What the last will says, published by hand at a clean stop.</summary>
    public MqttOutgoingMessage OfflineMessage => new(options.AvailabilityTopic, Offline, Retain: true);

    /// <summary>
    /// Unique per instance: two runs with the same device (the host name by default) would otherwise take each other's
    /// session over and over.
    /// </summary>
    public static string UniqueClientId(string device) => $"edge-{HomeAssistantId.From(device)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public Task<MqttClientConnectResult> ConnectAsync(CancellationToken cancellationToken) => client.ConnectAsync(ClientOptions(), cancellationToken);

    /// <summary>True when the broker acknowledged it; throws when the connection drops or times out.</summary>
    public async Task<bool> PublishAsync(MqttOutgoingMessage message, CancellationToken cancellationToken)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)options.Qos)
            .WithRetainFlag(message.Retain)
            .Build(), cancellationToken);
        return result.IsSuccess;
    }

    public Task DisconnectAsync() => client.DisconnectAsync();

    public void Dispose() => client.Dispose();

    private MqttClientOptions ClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Endpoint.Host, options.Endpoint.Port)
            .WithClientId(options.ClientId)
            .WithCleanSession()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
            .WithTimeout(TimeSpan.FromSeconds(5))
            .WithWillTopic(options.AvailabilityTopic)
            .WithWillPayload(Offline)
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (options.Endpoint.Username is { } username)
        {
            builder.WithCredentials(username, options.Password ?? string.Empty);
        }

        if (options.Endpoint.Tls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls();
                if (options.CaFile is { } ca)
                {
                    var authority = X509CertificateLoader.LoadCertificateFromFile(ca);
                    tls.WithTrustChain([authority]);
                }

                if (options.CertFile is { } cert && options.KeyFile is { } key)
                {
                    tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(cert, key)]);
                }
            });
        }

        return builder.Build();
    }
}

/// <summary>Where and as whom to connect. A class, not a record: a record's ToString would print the password.</summary>
internal sealed class MqttConnectionOptions
{
    public required MqttEndpoint Endpoint { get; init; }

    public required string ClientId { get; init; }

    /// <summary>The last will goes here (<c>offline</c>, retained).</summary>
    public required string AvailabilityTopic { get; init; }

    public int Qos { get; init; } = 1;

    public string? Password { get; init; }

    public string? CaFile { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }
}
