; Offline Windows installer for the identity-verification kiosk (NSIS 3, Unicode, x64).
;
;   makensis /DVERSION=0.1.0 /DDIST_DIR=..\dist\kiosk /DCONFIG_TOML=..\build\windows\kiosk.toml ^
;            /DOUT_FILE=..\dist\idv-kiosk-0.1.0-setup.exe installers\windows\kiosk.nsi
;
; (installers\windows\build.ps1 does all of that.) DIST_DIR is the PyInstaller one-folder build:
; kiosk.exe (console: doctor, precheck, verify), kioskw.exe (no console: the kiosk itself) and
; _internal\. Everything the kiosk needs is inside; the installer downloads nothing.
;
; Installs:
;   %ProgramFiles%\IDV Kiosk\          the bundle, kiosk-watchdog.ps1, kiosk-tasks.ps1, uninstall.exe
;   %ProgramData%\kiosk\kiosk.toml     settings (written once; never overwritten by upgrades)
;   %ProgramData%\kiosk\kiosk.toml.example   the current example (always refreshed)
;   %ProgramData%\kiosk\secrets\       secrets.env for the credential command; ACL: Administrators,
;                                      SYSTEM and the kiosk user (read) only, inheritance removed
;   %ProgramData%\kiosk\audit\         audit trail; ACL: Administrators, SYSTEM, kiosk user (modify)
;   Start menu: IDV Kiosk, IDV Kiosk diagnostics (kiosk doctor)
;   Scheduled tasks (kiosk-tasks.ps1): "\IDV Kiosk\Kiosk" at logon of the kiosk user, running the
;   PowerShell watchdog (restarts kioskw.exe when it exits or its heartbeat stops); "\IDV Kiosk\
;   Nightly restart" at 03:30.
;
; Command line: /S (silent), /KIOSKUSER=name (default: kiosk; the local or domain account that
; logs on at the counter), /D=dir (install folder, must be last). Uninstaller: /S, /PURGE (also
; delete %ProgramData%\kiosk: settings, secrets, audit trail).

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel admin
SetCompressor /SOLID lzma
SetCompressorDictSize 64

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef DIST_DIR
  !error "DIST_DIR (the PyInstaller dist\kiosk folder) is required: /DDIST_DIR=..."
!endif
!ifndef CONFIG_TOML
  !error "CONFIG_TOML (the example kiosk.toml from installers/make_config.py) is required"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "idv-kiosk-${VERSION}-setup.exe"
!endif

!define PRODUCT "IDV Kiosk"
!define PUBLISHER "Kiosk team"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\IDV-Kiosk"
!define APP_KEY "Software\IDV-Kiosk"
!define WER_KEY "SOFTWARE\Microsoft\Windows\Windows Error Reporting"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUT_FILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
InstallDirRegKey HKLM "${APP_KEY}" "InstallDir"
BrandingText "${PRODUCT} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "FileDescription" "${PRODUCT} offline installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

Var KioskUser
Var DataDir

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "SimpChinese"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${PRODUCT} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/KIOSKUSER=" $KioskUser
  ${If} ${Errors}
  ${OrIf} $KioskUser == ""
    ReadRegStr $KioskUser HKLM "${APP_KEY}" "KioskUser"
  ${EndIf}
  ${If} $KioskUser == ""
    StrCpy $KioskUser "kiosk"
  ${EndIf}
FunctionEnd

; Runs a command hidden, logs its output; $0 = exit code
!macro Exec CMD
  nsExec::ExecToLog '${CMD}'
  Pop $0
!macroend

Section "Kiosk" SecMain
  SectionIn RO
  SetShellVarContext all
  StrCpy $DataDir "$APPDATA\kiosk"          ; C:\ProgramData\kiosk (shell context: all users)

  ; upgrade: stop the running kiosk and its watchdog first (files in use cannot be replaced)
  ${If} ${FileExists} "$INSTDIR\kiosk-tasks.ps1"
    DetailPrint "Stopping the running kiosk"
    !insertmacro Exec '"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "$INSTDIR\kiosk-tasks.ps1" -Stop'
  ${EndIf}
  ; a previous version's files that no longer exist must not linger in _internal
  RMDir /r "$INSTDIR\_internal"

  SetOutPath "$INSTDIR"
  File /r "${DIST_DIR}\*.*"
  File "kiosk-watchdog.ps1"
  File "kiosk-tasks.ps1"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; settings: written once, kept on upgrade; the example is always current
  CreateDirectory "$DataDir"
  SetOutPath "$DataDir"
  File "/oname=kiosk.toml.example" "${CONFIG_TOML}"
  ${IfNot} ${FileExists} "$DataDir\kiosk.toml"
    CopyFiles /SILENT "$DataDir\kiosk.toml.example" "$DataDir\kiosk.toml"
  ${EndIf}
  ; secrets: Administrators + SYSTEM full, the kiosk user read; nobody else (inheritance removed)
  CreateDirectory "$DataDir\secrets"
  ${IfNot} ${FileExists} "$DataDir\secrets\secrets.env"
    FileOpen $1 "$DataDir\secrets\secrets.env" w
    FileWrite $1 "# KEY=VALUE lines loaded into the kiosk's environment by kiosk-watchdog.ps1 (and so seen by$\r$\n"
    FileWrite $1 "# the credential command). Put what your STS helper needs here, never in kiosk.toml.$\r$\n"
    FileWrite $1 "# STS_SECRET_ID=...$\r$\n# STS_SECRET_KEY=...$\r$\n"
    FileClose $1
  ${EndIf}
  CreateDirectory "$DataDir\audit"
  DetailPrint "Restricting $DataDir, its secrets and audit folders (kiosk user: $KioskUser)"
  ; well-known SIDs: *S-1-5-32-544 Administrators, *S-1-5-18 SYSTEM, *S-1-5-32-545 Users.
  ; The settings folder: Users may read, not create (ProgramData lets Users create files by
  ; default; a planted kiosk.toml could name a credential command the kiosk user would run).
  !insertmacro Exec '"$SYSDIR\icacls.exe" "$DataDir" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX'
  !insertmacro Exec '"$SYSDIR\icacls.exe" "$DataDir\kiosk.toml" /reset'
  !insertmacro Exec '"$SYSDIR\icacls.exe" "$DataDir\secrets" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F'
  !insertmacro Exec '"$SYSDIR\icacls.exe" "$DataDir\secrets" /grant:r "$KioskUser:(OI)(CI)RX"'
  ${If} $0 != 0
    DetailPrint "warning: account $KioskUser not found; secrets readable by Administrators and SYSTEM only"
  ${EndIf}
  !insertmacro Exec '"$SYSDIR\icacls.exe" "$DataDir\secrets\*" /reset /T /Q'
  !insertmacro Exec '"$SYSDIR\icacls.exe" "$DataDir\audit" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F'
  !insertmacro Exec '"$SYSDIR\icacls.exe" "$DataDir\audit" /grant:r "$KioskUser:(OI)(CI)M"'

  ; Start menu
  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\kioskw.exe" "run" "$INSTDIR\kioskw.exe" 0
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\${PRODUCT} diagnostics.lnk" "$SYSDIR\cmd.exe" '/k ""$INSTDIR\kiosk.exe" doctor"' "$INSTDIR\kiosk.exe" 0
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\Settings (kiosk.toml).lnk" "$WINDIR\notepad.exe" '"$DataDir\kiosk.toml"'

  ; autostart + watchdog: scheduled tasks for the kiosk user
  DetailPrint "Registering the autostart/watchdog tasks for $KioskUser"
  !insertmacro Exec '"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "$INSTDIR\kiosk-tasks.ps1" -Install -KioskUser "$KioskUser" -InstallDir "$INSTDIR"'
  ${If} $0 != 0
    DetailPrint "warning: scheduled tasks not registered (exit $0); see kiosk-tasks.ps1 -Install"
  ${EndIf}

  ; no crash dumps of the kiosk on disk (issue 11, docs/security.md): out of Windows Error
  ; Reporting (no report queue, no dump for upload), and no per-app LocalDumps key left behind
  WriteRegDWORD HKLM "${WER_KEY}\ExcludedApplications" "kioskw.exe" 1
  WriteRegDWORD HKLM "${WER_KEY}\ExcludedApplications" "kiosk.exe" 1
  DeleteRegKey HKLM "${WER_KEY}\LocalDumps\kioskw.exe"
  DeleteRegKey HKLM "${WER_KEY}\LocalDumps\kiosk.exe"

  ; Add/Remove Programs
  WriteRegStr HKLM "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${APP_KEY}" "KioskUser" "$KioskUser"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\kioskw.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $1 $2 $3
  IntFmt $1 "0x%08X" $1
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $1
SectionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  StrCpy $DataDir "$APPDATA\kiosk"
  ; stop the kiosk and remove the tasks before deleting the files
  !insertmacro Exec '"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "$INSTDIR\kiosk-tasks.ps1" -Uninstall'
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\kiosk.exe"
  Delete "$INSTDIR\kioskw.exe"
  Delete "$INSTDIR\kiosk-watchdog.ps1"
  Delete "$INSTDIR\kiosk-tasks.ps1"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  RMDir /r "$SMPROGRAMS\${PRODUCT}"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "${APP_KEY}"
  DeleteRegValue HKLM "${WER_KEY}\ExcludedApplications" "kioskw.exe"
  DeleteRegValue HKLM "${WER_KEY}\ExcludedApplications" "kiosk.exe"
  ; settings, secrets and the audit trail stay unless /PURGE
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  ${IfNot} ${Errors}
    RMDir /r "$DataDir"
  ${Else}
    DetailPrint "Kept $DataDir (settings, secrets, audit trail); uninstall with /PURGE to delete it"
  ${EndIf}
SectionEnd
