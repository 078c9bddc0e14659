using System.Runtime.InteropServices;

namespace Edge.Camera.Sources.Network;

/// <summary>
/// The part of GStreamer's C API that network streams use. GStreamer 1.x has kept this ABI stable since 1.0, so one
/// set of declarations serves Debian's and JetPack's builds alike (no binding tied to one library version).
/// </summary>
internal static unsafe partial class Gst
{
    private const string Core = "libgstreamer-1.0.so.0";
    private const string App = "libgstapp-1.0.so.0";
    private const string GLib = "libglib-2.0.so.0";

    public const int StateNull = 1;
    public const int StatePlaying = 4;
    public const int StateChangeFailure = 0;
    public const int MessageEndOfStream = 1 << 0;
    public const int MessageError = 1 << 1;
    public const int MapRead = 1;
    public const ulong NanosecondsPerMillisecond = 1_000_000;

    /// <summary>GstMapInfo: what <see cref="BufferMap"/> fills in.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MapInfo
    {
        public nint Memory;
        public int Flags;
        public nint Data;
        public nuint Size;
        public nuint MaxSize;
        private nint user0, user1, user2, user3;
        private nint reserved0, reserved1, reserved2, reserved3;
    }

    /// <summary>GError: the start of the struct, which is all that is read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Error
    {
        public uint Domain;
        public int Code;
        public nint Message;
    }

    [LibraryImport(Core, EntryPoint = "gst_segtrap_set_enabled")]
    public static partial void SetSegmentationTrap([MarshalAs(UnmanagedType.Bool)] bool enabled);

    [LibraryImport(Core, EntryPoint = "gst_init_check")]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool InitCheck(nint argc, nint argv, out nint error);

    [LibraryImport(Core, EntryPoint = "gst_version")]
    public static partial void Version(out uint major, out uint minor, out uint micro, out uint nano);

    [LibraryImport(Core, EntryPoint = "gst_element_factory_find", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ElementFactoryFind(string name);

    [LibraryImport(Core, EntryPoint = "gst_object_unref")]
    public static partial void ObjectUnref(nint gstObject);

    [LibraryImport(Core, EntryPoint = "gst_parse_launch", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ParseLaunch(string description, out nint error);

    [LibraryImport(Core, EntryPoint = "gst_bin_get_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint BinGetByName(nint bin, string name);

    /// <summary>Sets a property from its string form: values never pass through a pipeline description, so a URL
    /// cannot inject elements and credentials stay out of it.</summary>
    [LibraryImport(Core, EntryPoint = "gst_util_set_object_arg", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void SetObjectArgument(nint gobject, string name, string value);

    [LibraryImport(Core, EntryPoint = "gst_element_set_state")]
    public static partial int ElementSetState(nint element, int state);

    [LibraryImport(Core, EntryPoint = "gst_element_get_bus")]
    public static partial nint ElementGetBus(nint element);

    [LibraryImport(Core, EntryPoint = "gst_bus_timed_pop_filtered")]
    public static partial nint BusTimedPopFiltered(nint bus, ulong timeoutNanoseconds, int types);

    [LibraryImport(Core, EntryPoint = "gst_message_parse_error")]
    public static partial void MessageParseError(nint message, out nint error, out nint debug);

    [LibraryImport(Core, EntryPoint = "gst_mini_object_unref")]
    public static partial void MiniObjectUnref(nint miniObject);

    [LibraryImport(Core, EntryPoint = "gst_sample_get_buffer")]
    public static partial nint SampleGetBuffer(nint sample);

    [LibraryImport(Core, EntryPoint = "gst_sample_get_caps")]
    public static partial nint SampleGetCaps(nint sample);

    [LibraryImport(Core, EntryPoint = "gst_caps_get_structure")]
    public static partial nint CapsGetStructure(nint caps, uint index);

    [LibraryImport(Core, EntryPoint = "gst_structure_get_int", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool StructureGetInt(nint structure, string field, out int value);

    [LibraryImport(Core, EntryPoint = "gst_buffer_map")]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool BufferMap(nint buffer, out MapInfo info, int flags);

    [LibraryImport(Core, EntryPoint = "gst_buffer_unmap")]
    public static partial void BufferUnmap(nint buffer, ref MapInfo info);

    [LibraryImport(App, EntryPoint = "gst_app_sink_try_pull_sample")]
    public static partial nint AppSinkTryPullSample(nint appSink, ulong timeoutNanoseconds);

    [LibraryImport(GLib, EntryPoint = "g_error_free")]
    public static partial void ErrorFree(nint error);

    [LibraryImport(GLib, EntryPoint = "g_free")]
    public static partial void Free(nint memory);

    [LibraryImport(GLib, EntryPoint = "g_quark_to_string")]
    public static partial nint QuarkToString(uint quark);

    /// <summary>Reads and frees a GError, returning its domain, code and message.</summary>
    public static (string Domain, int Code, string Message) TakeError(nint error)
    {
        if (error == 0)
        {
            return (string.Empty, 0, string.Empty);
        }

        var value = *(Error*)error;
        var result = (Marshal.PtrToStringUTF8(QuarkToString(value.Domain)) ?? string.Empty, value.Code, Marshal.PtrToStringUTF8(value.Message) ?? string.Empty);
        ErrorFree(error);
        return result;
    }

    /// <summary>Reads and frees a g_malloc'ed string.</summary>
    public static string TakeString(nint text)
    {
        if (text == 0)
        {
            return string.Empty;
        }

        var result = Marshal.PtrToStringUTF8(text) ?? string.Empty;
        Free(text);
        return result;
    }
}
