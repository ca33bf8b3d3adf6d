# Build targets for the offline installers (see docs/installing.md). Outputs go to
# installers/dist/ and installers/build/ (both git-ignored).
.PHONY: bundle deb test-deb nsis-stub clean-installers

# PyInstaller one-folder bundle only: installers/dist/kiosk/
bundle:
	installers/linux/build-deb.sh --bundle-only

# Linux package from a clean checkout (creates installers/build/venv if needed)
deb:
	installers/linux/build-deb.sh

# the .deb, built twice and compared, then installed on a stock Debian 12 XFCE desktop root
# without network (root; make-stock-root.sh downloads the root's packages once)
test-deb:
	installers/linux/test-deb-in-debootstrap.sh

# proves installers/windows/kiosk.nsi compiles (placeholder bundle; real build: build.ps1 on Windows)
nsis-stub:
	installers/windows/compile-stub.sh

clean-installers:
	rm -rf installers/build installers/dist
