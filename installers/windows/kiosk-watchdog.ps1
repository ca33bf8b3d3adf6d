<#
.SYNOPSIS
  Watchdog for the kiosk on Windows: runs kioskw.exe, restarts it when it dies or hangs.

.DESCRIPTION
  Started hidden by the "\IDV Kiosk\Kiosk" scheduled task at logon of the kiosk user.
  * Loads KEY=VALUE lines from %ProgramData%\kiosk\secrets\secrets.env into the kiosk's
    environment (what the credential command needs; never in kiosk.toml).
  * Sets KIOSK_HEARTBEAT_FILE; the bundle's entry point touches it every 5 s from the Qt GUI
    thread. No beat for -HangSeconds (default 30) after start-up -> the kiosk is killed and
    restarted. Same logic as installers/linux/files/kiosk-supervise.
  * Exit code 0 (staff left through the PIN-protected menu) ends the watchdog: staff get the
    desktop; the next logon (or running the task) brings the kiosk back.
  Log: %LOCALAPPDATA%\kiosk\watchdog.log (no customer data: only start/stop events).
#>
param(
    [int]$HangSeconds = 30,
    [int]$StartupSeconds = 90,
    [string]$Exe = (Join-Path $PSScriptRoot "kioskw.exe")
)
$ErrorActionPreference = "Continue"
$stateDir = Join-Path $env:LOCALAPPDATA "kiosk"
New-Item -ItemType Directory -Force -Path $stateDir | Out-Null
$log = Join-Path $stateDir "watchdog.log"
$beat = Join-Path $stateDir "heartbeat"
function Log($text) { Add-Content -Path $log -Value ("{0:u} {1}" -f (Get-Date), $text) }

$secrets = Join-Path $env:ProgramData "kiosk\secrets\secrets.env"
if (Test-Path $secrets) {
    foreach ($line in Get-Content $secrets) {
        if ($line -match '^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$') {
            [Environment]::SetEnvironmentVariable($Matches[1], $Matches[2].Trim('"'), "Process")
        }
    }
}
$env:KIOSK_HEARTBEAT_FILE = $beat
if (-not $env:OPENCV_LOG_LEVEL) { $env:OPENCV_LOG_LEVEL = "ERROR" }
# the MSMF fallback opens much faster without hardware transforms (opencv#17687, PR #20327)
if (-not $env:OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS) { $env:OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS = "0" }

while ($true) {
    Remove-Item $beat -ErrorAction SilentlyContinue
    $proc = Start-Process -FilePath $Exe -ArgumentList "run" -PassThru
    $started = Get-Date
    $hung = $false
    Log "started kioskw.exe pid $($proc.Id)"
    while (-not $proc.HasExited) {
        Start-Sleep -Seconds 2
        $now = Get-Date
        if (Test-Path $beat) {
            $age = ($now - (Get-Item $beat).LastWriteTime).TotalSeconds
            if ($age -gt $HangSeconds) { $hung = $true }
        } elseif (($now - $started).TotalSeconds -gt $StartupSeconds) {
            $hung = $true
        }
        if ($hung) {
            Log "no heartbeat: killing pid $($proc.Id)"
            Stop-Process -Id $proc.Id -Force -ErrorAction SilentlyContinue
            break
        }
    }
    $proc.WaitForExit()
    $code = $proc.ExitCode
    if (-not $hung -and $code -eq 0) {
        Log "kiosk exited cleanly (staff exit); watchdog ends"
        exit 0
    }
    Log "kiosk ended (exit $code, hung=$hung); restarting in 3 s"
    Start-Sleep -Seconds 3
}
