# shellcheck shell=bash
# Shared helpers for the training scripts; source it (it sets no shell options of its own):
#   source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
#   ported_resnet18 OUT.pt   # restore NuGet ResNet-18 if missing, port + verify it into OUT.pt (skipped if present)
# Honours NUGET_PACKAGES (default ~/.nuget/packages) and PYTHON (default python3). Run from the repository root.

RESNET18_PACKAGE="Microsoft.ML.DnnImageFeaturizer.ResNet18"
RESNET18_VERSION="0.23.1"

# Prints the folder holding ResNet18Onnx/ and ResNetPrepOnnx/, restoring the NuGet package with a throw-away project
# (outside the repository, so its Directory.*.props do not apply) when it is missing.
resnet18_package_dir() {
    local packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
    local pkg="$packages/microsoft.ml.dnnimagefeaturizer.resnet18/$RESNET18_VERSION/tools/DnnImageModels"
    if [[ ! -f "$pkg/ResNet18Onnx/ResNet18.onnx" ]]; then
        echo "== restoring $RESNET18_PACKAGE $RESNET18_VERSION into $packages" >&2
        local proj
        proj="$(mktemp -d)"
        cat > "$proj/restore.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="$RESNET18_PACKAGE" Version="$RESNET18_VERSION" />
  </ItemGroup>
</Project>
CSPROJ
        if ! (cd "$proj" && NUGET_PACKAGES="$packages" dotnet restore restore.csproj >&2); then
            rm -rf "$proj"
            echo "dotnet restore of $RESNET18_PACKAGE $RESNET18_VERSION failed" >&2
            return 1
        fi
        rm -rf "$proj"
    fi
    if [[ ! -f "$pkg/ResNet18Onnx/ResNet18.onnx" || ! -f "$pkg/ResNetPrepOnnx/ResNetPreprocess.onnx" ]]; then
        echo "ResNet18.onnx / ResNetPreprocess.onnx not found under $pkg" >&2
        return 1
    fi
    printf '%s\n' "$pkg"
}

# ported_resnet18 OUT.pt: port + verify (port_resnet18.py exits non-zero if PyTorch and ONNX disagree by > 1e-4).
# An existing OUT.pt is reused (set PORT_AGAIN=1 to force re-porting).
ported_resnet18() {
    local out="$1" pkg
    if [[ -f "$out" && "${PORT_AGAIN:-0}" != 1 ]]; then
        echo "== reusing ported backbone $out" >&2
        return 0
    fi
    pkg="$(resnet18_package_dir)" || return 1
    "${PYTHON:-python3}" training/port_resnet18.py --onnx "$pkg/ResNet18Onnx/ResNet18.onnx" \
        --preprocess "$pkg/ResNetPrepOnnx/ResNetPreprocess.onnx" --out "$out"
}
