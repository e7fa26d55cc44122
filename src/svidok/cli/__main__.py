from svidok.cli.main import main

main()
