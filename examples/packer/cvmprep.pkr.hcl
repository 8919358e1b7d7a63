# Packer fragment: prepare the image for import into Tencent Cloud CVM with cvmprep, as the
# last provisioners of your build. Set `sources` to your own source (qemu, vsphere-iso...).
# The build fails when cvmprep still finds a blocker (exit status 2 or more); warnings pass.
#
#   packer build -var cvmprep_package=cvmprep_0.1.0_amd64.deb .

variable "cvmprep_package" {
  type        = string
  description = "A cvmprep .deb or .rpm on this machine, installed first."
}

variable "cvmprep_report" {
  type        = string
  default     = "reports/cvmprep-report.json"
  description = "Where the JSON report is saved on this machine."
}

build {
  sources = ["source.qemu.golden"]

  # ... your own provisioners ...

  # Install cvmprep with the distribution's package manager.
  provisioner "file" {
    source      = var.cvmprep_package
    destination = "/tmp/"
  }

  provisioner "shell" {
    execute_command  = "chmod +x {{ .Path }}; sudo -n env {{ .Vars }} {{ .Path }}"
    environment_vars = ["CVMPREP_PACKAGE=/tmp/${basename(var.cvmprep_package)}"]
    inline = [
      "case \"$CVMPREP_PACKAGE\" in",
      "*.deb) DEBIAN_FRONTEND=noninteractive apt-get install -y -q \"$CVMPREP_PACKAGE\" ;;",
      "*.rpm) if command -v dnf >/dev/null; then dnf install -y \"$CVMPREP_PACKAGE\"; elif command -v zypper >/dev/null; then zypper --non-interactive install --allow-unsigned-rpm \"$CVMPREP_PACKAGE\"; else yum install -y \"$CVMPREP_PACKAGE\"; fi ;;",
      "*) echo \"cvmprep_package must be a .deb or an .rpm, not $CVMPREP_PACKAGE\" >&2; exit 1 ;;",
      "esac",
      "rm -f \"$CVMPREP_PACKAGE\"",
    ]
  }

  # cvmprep: fix what it can (exit 0-2 is its report; 3 or more: the fix failed and was rolled
  # back), then check and keep the JSON report; fail the build on blockers (exit status >= 2).
  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo -n env {{ .Vars }} {{ .Path }}"
    inline = [
      "cvmprep --version",
      "cvmprep fix --yes || [ $? -lt 3 ]",
      "rc=0",
      "cvmprep check --format json --output /var/tmp/cvmprep-report.json || rc=$?",
      "chmod 0644 /var/tmp/cvmprep-report.json",
      "echo \"cvmprep check: exit status $rc\"",
      "if [ \"$rc\" -ge 2 ]; then echo 'cvmprep: the image is not ready for import (see the report above)' >&2; exit \"$rc\"; fi",
    ]
  }

  provisioner "file" {
    direction   = "download"
    source      = "/var/tmp/cvmprep-report.json"
    destination = var.cvmprep_report
  }
}
