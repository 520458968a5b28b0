from channels.telegram.bridge import main

main()
