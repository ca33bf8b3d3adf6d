<#
.SYNOPSIS
  Registers / removes the kiosk's scheduled tasks; stops the running kiosk. Called by the
  installer (kiosk.nsi) and the uninstaller; also usable by hand from an elevated PowerShell.

.DESCRIPTION
  -Install : "\IDV Kiosk\Kiosk": at logon of -KioskUser, runs kiosk-watchdog.ps1 (hidden) in that
             user's interactive session (no password stored: LogonType Interactive). The watchdog
             restarts kioskw.exe when it exits abnormally or stops beating; the task itself is
             restarted by Task Scheduler if the watchdog dies (RestartCount/RestartInterval).
             "\IDV Kiosk\Nightly restart": 03:30 daily, stops kioskw.exe; the watchdog starts a
             fresh one (the research notes a nightly restart for always-on kiosks).
  -Stop    : stops the watchdog and the kiosk (used before an upgrade replaces the files).
  -Uninstall : -Stop, then removes both tasks.
#>
param(
    [switch]$Install,
    [switch]$Uninstall,
    [switch]$Stop,
    [string]$KioskUser = "kiosk",
    [string]$InstallDir = $PSScriptRoot
)
$ErrorActionPreference = "Stop"
$TaskPath = "\IDV Kiosk\"

function Stop-Kiosk {
    Get-ScheduledTask -TaskPath $TaskPath -ErrorAction SilentlyContinue | Stop-ScheduledTask -ErrorAction SilentlyContinue
    # the watchdog runs as powershell.exe with our script on its command line: match it exactly
    Get-CimInstance Win32_Process -Filter "Name = 'powershell.exe'" |
        Where-Object { $_.CommandLine -like "*$InstallDir\kiosk-watchdog.ps1*" } |
        ForEach-Object { Stop-Process -Id $_.ProcessId -Force -ErrorAction SilentlyContinue }
    foreach ($exe in @("kioskw.exe", "kiosk.exe")) {
        Get-CimInstance Win32_Process -Filter "Name = '$exe'" |
            Where-Object { $_.ExecutablePath -and $_.ExecutablePath.StartsWith($InstallDir, [StringComparison]::OrdinalIgnoreCase) } |
            ForEach-Object { Stop-Process -Id $_.ProcessId -Force -ErrorAction SilentlyContinue }
    }
}

if ($Stop -or $Uninstall) { Stop-Kiosk }

if ($Uninstall) {
    Get-ScheduledTask -TaskPath $TaskPath -ErrorAction SilentlyContinue |
        Unregister-ScheduledTask -Confirm:$false -ErrorAction SilentlyContinue
    exit 0
}

if ($Install) {
    $ps = Join-Path $env:SystemRoot "System32\WindowsPowerShell\v1.0\powershell.exe"
    $watchdog = Join-Path $InstallDir "kiosk-watchdog.ps1"
    $action = New-ScheduledTaskAction -Execute $ps `
        -Argument "-NoProfile -NonInteractive -WindowStyle Hidden -ExecutionPolicy Bypass -File `"$watchdog`"" `
        -WorkingDirectory $InstallDir
    $trigger = New-ScheduledTaskTrigger -AtLogOn -User $KioskUser
    $principal = New-ScheduledTaskPrincipal -UserId $KioskUser -LogonType Interactive -RunLevel Limited
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
        -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
        -MultipleInstances IgnoreNew -StartWhenAvailable
    Register-ScheduledTask -TaskPath $TaskPath -TaskName "Kiosk" -Action $action -Trigger $trigger `
        -Principal $principal -Settings $settings -Force `
        -Description "Identity-verification kiosk with watchdog (kiosk-watchdog.ps1)" | Out-Null

    $stopArgs = "-NoProfile -NonInteractive -WindowStyle Hidden -Command `"Get-Process kioskw -ErrorAction SilentlyContinue | Stop-Process -Force`""
    $nightly = New-ScheduledTaskAction -Execute $ps -Argument $stopArgs
    $at = New-ScheduledTaskTrigger -Daily -At "03:30"
    $sys = New-ScheduledTaskPrincipal -UserId "SYSTEM" -LogonType ServiceAccount -RunLevel Highest
    Register-ScheduledTask -TaskPath $TaskPath -TaskName "Nightly restart" -Action $nightly -Trigger $at `
        -Principal $sys -Force -Description "Fresh kiosk process every night (the watchdog restarts it)" | Out-Null
    Write-Output "registered $TaskPath`Kiosk (user $KioskUser) and $TaskPath`Nightly restart"
}
