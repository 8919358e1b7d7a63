/* The version comes from the top-level VERSION file, through the build (-DCVMPREP_VERSION). */
#ifndef CVMPREP_VERSION_H
#define CVMPREP_VERSION_H
#ifndef CVMPREP_VERSION
#error "CVMPREP_VERSION must be defined by the build (from the VERSION file)"
#endif
#endif
