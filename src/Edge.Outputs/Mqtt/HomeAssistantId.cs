using System.Security.Cryptography;
using System.Text;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// Home Assistant's discovery accepts only <c>[a-zA-Z0-9_-]</c> in node and object ids (anything else: "illegal discovery
/// topic", no entity). Other characters become '_', and a short hash of the original is appended whenever that changed
/// the string, so <c>jetson-01.local</c> and <c>jetson-01_local</c> stay two devices.
/// </summary>
internal static class HomeAssistantId
{
    public static string From(string id)
    {
        var sanitised = new StringBuilder(id.Length + 9);
        var changed = id.Length == 0;
        foreach (var c in id)
        {
            var legal = char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
            sanitised.Append(legal ? c : '_');
            changed |= !legal;
        }

        if (!changed)
        {
            return id;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(id));
        return sanitised.Append('_').Append(Convert.ToHexStringLower(hash, 0, 4)).ToString();
    }
}
