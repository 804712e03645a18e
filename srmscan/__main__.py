from srmscan.cli import main

main()
