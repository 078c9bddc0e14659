using Edge.Camera.Frames;
using Edge.Camera.Sources.OpenCv;
using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;
using Edge.Runtime.Preprocessing;

namespace Edge.Tools.Evaluation;

/// <summary>Runs a session on image files through the bundle's preprocessing, reusing one frame and one tensor; images
/// whose header states more than <paramref name="maxMegapixels"/> are refused before decoding.</summary>
internal sealed class ImageScorer(ModelBundle bundle, ModelSession session, int maxMegapixels = ImageFile.DefaultMaxMegapixels)
{
    private readonly ImagePreprocessor preprocessor = new(bundle.Input);
    private readonly Frame frame = new(bundle.Input.Width, bundle.Input.Height);

    /// <summary>Decodes, preprocesses and runs <paramref name="imagePath"/>; results are in the session's outputs.</summary>
    public void Score(string imagePath)
    {
        ImageFile.Read(imagePath, frame, maxMegapixels);
        preprocessor.Process(frame.PixelSpan, frame.Width, frame.Height, session.Input);
        session.Run();
    }
}
