<#
.SYNOPSIS
  Builds the offline Windows installer on a Windows build machine:
  installers\dist\idv-kiosk-<version>-setup.exe

.DESCRIPTION
  1. a build venv (installers\build\venv-win) with Python 3.11, the project and PyInstaller
     (pip install -e .[build]; never the test extra);
  2. the PyInstaller one-folder bundle from installers\kiosk.spec -> installers\dist\kiosk
     (kiosk.exe with a console for doctor/precheck/verify, kioskw.exe without one for the kiosk);
  3. a smoke test of the bundle (kiosk.exe --version, doctor --json, precheck);
  4. the example kiosk.toml (installers\make_config.py --platform windows);
  5. makensis installers\windows\kiosk.nsi;
  6. optional Authenticode signing of the executables and the installer (-SignCert), which
     reduces antivirus false positives on PyInstaller bootloaders (pyinstaller#8323).

  Needs: Python 3.11 x64 (py launcher or -Python), NSIS 3 (makensis on PATH or -Makensis),
  for signing: signtool.exe from the Windows SDK. Network only for pip on the first run.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1
  powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1 -SignCert C:\keys\kiosk.pfx -SignPassword (Read-Host -AsSecureString)
#>
param(
    [string]$Python = "",
    [string]$Makensis = "",
    [switch]$SkipBundle,
    [string]$SignCert = "",
    [SecureString]$SignPassword,
    [string]$TimestampUrl = "http://timestamp.digicert.com"
)
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
$Build = Join-Path $Root "installers\build"
$Dist = Join-Path $Root "installers\dist"
$Venv = Join-Path $Build "venv-win"
function Say($t) { Write-Host "[build.ps1] $t" }
function Run($exe, [string[]]$argv) {
    & $exe @argv
    if ($LASTEXITCODE -ne 0) { throw "$exe $($argv -join ' ') failed with exit code $LASTEXITCODE" }
}
Set-Location $Root

# 1. build venv
if (-not (Test-Path (Join-Path $Venv "Scripts\python.exe"))) {
    if ($Python) { $py = @($Python) } else { $py = @("py", "-3.11") }
    Say "creating $Venv with $($py -join ' ')"
    if ($py.Count -gt 1) { Run $py[0] @($py[1], "-m", "venv", $Venv) } else { Run $py[0] @("-m", "venv", $Venv) }
}
$VPy = Join-Path $Venv "Scripts\python.exe"
Run $VPy @("-c", "import sys; assert sys.version_info[:2] == (3, 11), sys.version")
# no pip/setuptools upgrade: the build uses the interpreter's own pip and the pinned constraints
# the versions the Linux package was built and tested with (installers\constraints.txt)
Run $VPy @("-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", "installers\constraints.txt", "-e", ".[build]")
$Version = (& $VPy -c "import kiosk; print(kiosk.__version__)").Trim()

# 2. bundle
$Bundle = Join-Path $Dist "kiosk"
if (-not $SkipBundle -or -not (Test-Path (Join-Path $Bundle "kiosk.exe"))) {
    Say "PyInstaller one-folder bundle (installers\kiosk.spec)"
    Run (Join-Path $Venv "Scripts\pyinstaller.exe") @("--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", $Dist, "--workpath", (Join-Path $Build "pyi-win"), "installers\kiosk.spec")
}

# 3. smoke test (no webcam/credentials needed: those checks may say not ok)
Run (Join-Path $Bundle "kiosk.exe") @("--version")
& (Join-Path $Bundle "kiosk.exe") doctor --json --no-network --cameras 0
if ($LASTEXITCODE -gt 1) { throw "kiosk doctor failed ($LASTEXITCODE)" }
$face = Join-Path $Root "resources\demo_people\portraits\grace_hopper.jpg"
Run (Join-Path $Bundle "kiosk.exe") @("precheck", "--kind", "face", $face)

# 4. example settings
$Toml = Join-Path $Build "windows\kiosk.toml"
Run $VPy @("installers\make_config.py", "--platform", "windows", "--out", $Toml)

# 6a. sign the executables before they go into the installer
$signtool = $null
if ($SignCert) {
    $signtool = (Get-Command signtool.exe -ErrorAction SilentlyContinue).Source
    if (-not $signtool) { throw "signtool.exe not found (Windows SDK)" }
    $plain = [Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime.InteropServices.Marshal]::SecureStringToBSTR($SignPassword))
    foreach ($exe in @("kiosk.exe", "kioskw.exe")) {
        Run $signtool @("sign", "/fd", "SHA256", "/f", $SignCert, "/p", $plain, "/tr", $TimestampUrl, "/td", "SHA256", (Join-Path $Bundle $exe))
    }
}

# 5. installer
if (-not $Makensis) {
    $Makensis = (Get-Command makensis.exe -ErrorAction SilentlyContinue).Source
    if (-not $Makensis) { $Makensis = "${env:ProgramFiles(x86)}\NSIS\makensis.exe" }
}
$Out = Join-Path $Dist "idv-kiosk-$Version-setup.exe"
Say "makensis -> $Out"
Run $Makensis @("/V2", "/DVERSION=$Version", "/DDIST_DIR=$Bundle", "/DCONFIG_TOML=$Toml", "/DOUT_FILE=$Out",
    (Join-Path $Root "installers\windows\kiosk.nsi"))

# 6b. sign the installer
if ($signtool) {
    Run $signtool @("sign", "/fd", "SHA256", "/f", $SignCert, "/p", $plain, "/tr", $TimestampUrl, "/td", "SHA256", $Out)
}
$size = "{0:N1} MB" -f ((Get-Item $Out).Length / 1MB)
$bsize = "{0:N1} MB" -f ((Get-ChildItem $Bundle -Recurse | Measure-Object Length -Sum).Sum / 1MB)
Say "bundle $bsize, installer $size"
Write-Output $Out
