#include "app/cli.h"

int main(int argc, char** argv) {
  return pxed::app::run_cli(argc, argv);
}
